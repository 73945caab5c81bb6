// IEEE binary16 and bfloat16 conversions (safetensors F16/BF16 weights).
#include "CBERTKernels.h"
#include <string.h>

static inline float bits_to_float(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }
static inline uint32_t float_to_bits(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }

void bert_f16_to_f32(const uint16_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const uint32_t h = src[i];
        const uint32_t sign = (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ffu;
        uint32_t out;
        if (exp == 0) {
            if (man == 0) out = sign;
            else {  // subnormal: normalise
                int e = -1;
                uint32_t m = man;
                do { e++; m <<= 1; } while ((m & 0x400u) == 0);
                out = sign | ((uint32_t)(127 - 15 - e) << 23) | ((m & 0x3ffu) << 13);
            }
        } else if (exp == 31) out = sign | 0x7f800000u | (man << 13);
        else out = sign | ((exp + 112u) << 23) | (man << 13);
        dst[i] = bits_to_float(out);
    }
}

void bert_bf16_to_f32(const uint16_t *src, float *dst, size_t n) {
    for (size_t i = 0; i < n; i++) dst[i] = bits_to_float((uint32_t)src[i] << 16);
}

void bert_f32_to_bf16(const float *src, uint16_t *dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const uint32_t b = float_to_bits(src[i]);
        if ((b & 0x7fffffffu) > 0x7f800000u) { dst[i] = (uint16_t)((b >> 16) | 0x40); continue; }
        dst[i] = (uint16_t)((b + 0x7fffu + ((b >> 16) & 1u)) >> 16);
    }
}

void bert_f32_to_f16(const float *src, uint16_t *dst, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const uint32_t b = float_to_bits(src[i]);
        const uint32_t sign = (b >> 16) & 0x8000u;
        const uint32_t absb = b & 0x7fffffffu;
        uint16_t h;
        if (absb > 0x7f800000u) h = (uint16_t)(sign | 0x7e00u);              // NaN
        else if (absb >= 0x477ff000u) h = (uint16_t)(sign | 0x7c00u);         // overflow to inf
        else if (absb < 0x38800000u) {                                        // subnormal or zero
            if (absb < 0x33000000u) h = (uint16_t)sign;
            else {
                const uint32_t e = absb >> 23, m = (absb & 0x7fffffu) | 0x800000u;
                const uint32_t shift = 126 - e;                                // 14..24
                uint32_t v = m >> shift;
                const uint32_t rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
                if (rem > half || (rem == half && (v & 1u))) v++;
                h = (uint16_t)(sign | v);
            }
        } else {
            uint32_t v = absb - 0x38000000u;                                  // rebias 127 -> 15
            v = (v + 0xfffu + ((v >> 13) & 1u)) >> 13;
            h = (uint16_t)(sign | v);
        }
        dst[i] = h;
    }
}
