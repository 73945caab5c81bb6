// BERTNN: see ../../shared/DESIGN.md for this module's place in the layers.
