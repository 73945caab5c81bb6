// Constants shared by the row kernels (rows_x86.c, rows_neon.c): exp by range reduction, erf by a rational function.
#ifndef BERT_ROW_CONSTANTS_H
#define BERT_ROW_CONSTANTS_H
#define EXP_LOWEST -87.3365447504f  // below: exp is taken as exactly 0 (see bert_vexp)
#define LOG2E 1.44269504088896341f
#define LN2_HI 0.693359375f
#define LN2_LO -2.12194440e-4f
#define SQRT1_2 0.70710678118654752f
// erf(z) ≈ z · P(z²) / Q(z²) on [−4, 4] (|erf(4)| rounds to 1 in float): degree 5 over degree 5 in z², fitted for
// this kernel by iteratively reweighted least squares on the linearised residual z·P − erf·Q (scripts/fit_erf.py);
// absolute error 2.1e-8 in exact arithmetic, 4.6e-7 evaluated in float. Cheaper than A&S 7.1.26 (no exp).
#define ERF_P0 1.128378976e+00f
#define ERF_P1 1.962518532e-01f
#define ERF_P2 5.346779971e-02f
#define ERF_P3 4.003752700e-03f
#define ERF_P4 2.880410620e-04f
#define ERF_P5 1.974772692e-06f
#define ERF_Q1 5.072548351e-01f
#define ERF_Q2 1.164775619e-01f
#define ERF_Q3 1.544463845e-02f
#define ERF_Q4 1.216380603e-03f
#define ERF_Q5 3.748024560e-05f
#endif
