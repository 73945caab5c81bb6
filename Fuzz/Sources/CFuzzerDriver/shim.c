// Empty: the target only exports CFuzzerDriver.h.
