// Branch-free float math that compilers vectorise (libm calls would keep loops scalar).
#ifndef CBERT_VMATH_H
#define CBERT_VMATH_H
#include <stdint.h>
#include <string.h>

/// exp(x) by Cephes' range reduction and degree-6 polynomial; relative error about 2 ulp. Below −87.34 the
/// result is exactly 0 (not the smallest normal float): masked attention scores must vanish, and values that
/// close to the denormal range would make later arithmetic crawl.
static inline float bert_vexp(float x) {
    const float original = x;
    x = x > 88.3762626647949f ? 88.3762626647949f : x;
    x = x < -87.3365447504f ? -87.3365447504f : x;
    float fx = x * 1.44269504088896341f;
    fx = __builtin_floorf(fx + 0.5f);
    const float r = x - fx * 0.693359375f + fx * 2.12194440e-4f;
    float y = 1.9875691500e-4f;
    y = y * r + 1.3981999507e-3f;
    y = y * r + 8.3334519073e-3f;
    y = y * r + 4.1665795894e-2f;
    y = y * r + 1.6666665459e-1f;
    y = y * r + 5.0000001201e-1f;
    y = y * r * r + r + 1.0f;
    int32_t bits = ((int32_t)fx + 127) << 23;
    float scale;
    memcpy(&scale, &bits, sizeof scale);
    return original < -87.3365447504f ? 0.0f : y * scale;
}

/// erf(x), Abramowitz & Stegun 7.1.26 (absolute error below 1.5e-7).
static inline float bert_verf(float x) {
    const float s = x < 0.0f ? -1.0f : 1.0f;
    const float a = x * s;
    const float t = 1.0f / (1.0f + 0.3275911f * a);
    float p = 1.061405429f;
    p = p * t - 1.453152027f;
    p = p * t + 1.421413741f;
    p = p * t - 0.284496736f;
    p = p * t + 0.254829592f;
    return s * (1.0f - p * t * bert_vexp(-a * a));
}

/// tanh(x) = sign(x)(1 - 2/(exp(2|x|)+1)), with an odd Taylor series near 0 to keep relative accuracy.
static inline float bert_vtanh(float x) {
    const float s = x < 0.0f ? -1.0f : 1.0f;
    const float a = x * s;
    const float big = 1.0f - 2.0f / (bert_vexp(2.0f * a) + 1.0f);
    const float x2 = a * a;
    const float small = a * (1.0f + x2 * (-0.333333333f + x2 * (0.133333333f + x2 * (-0.0539682540f + x2 * 0.0218694885f))));
    return s * (a < 0.0625f ? small : big);
}
#endif
