#!/usr/bin/python3
"""Prints the expected numbers used in TensorComparerTests.cs, computed with numpy (Debian's numpy 1.24).

Run: /usr/bin/python3 tests/BuildConvert.Core.Tests/Golden/tensor_comparer_oracle.py
Mismatch counts come from np.isclose; errors and required tolerances from float64 arithmetic on the float32 values.
"""
import numpy as np


def report(title, a, e, rtol, atol, equal_nan=True):
    a = np.asarray(a)
    e = np.asarray(e)
    close = np.isclose(a, e, rtol=rtol, atol=atol, equal_nan=equal_nan)
    A = a.astype(np.float64)
    E = e.astype(np.float64)
    with np.errstate(all="ignore"):
        d = np.abs(A - E)
        nz = E != 0
        required_atol = max(0.0, (d - rtol * np.abs(E)).max())
        required_rtol = max(0.0, np.where(d > atol, np.where(nz, (d - atol) / np.abs(E), np.inf), 0).max())
        excess = np.where(close, -np.inf, d - (atol + rtol * np.abs(E)))
    worst = np.unravel_index(np.argmax(excess), a.shape)
    print(title)
    print("  mismatches", int((~close).sum()), "of", a.size)
    print("  max abs", repr(d.max()), " max rel", repr((d[nz] / np.abs(E[nz])).max()))
    print("  required atol", repr(required_atol), " required rtol", repr(required_rtol))
    print("  worst", tuple(int(i) for i in worst), repr(a[worst]), "vs", repr(e[worst]))
    print("  allclose at required atol:", np.allclose(a, e, rtol=rtol, atol=required_atol))


f32 = np.float32
report("ReportsErrorsCountsWorstIndexAndRequiredTolerances",
       np.array([0, 1, 2, 3, -4, 5], f32).reshape(2, 3), np.array([0, 1.0005, 2.5, 3, -4.002, 0], f32).reshape(2, 3), 1e-3, 1e-5)
report("RequiredTolerancesMatchNumpyAndAreTight",
       np.array([0, 1, 2, 3, -4, 5], f32).reshape(2, 3), np.array([0, 1.0005, 2.004, 3, -4.002, 5.0001], f32).reshape(2, 3), 1e-3, 1e-5)
print("InfinitiesEqualOnlyTheSameInfinity:",
      np.isclose(np.array([np.inf, -np.inf, np.inf, 1], f32), np.array([np.inf, -np.inf, -np.inf, np.inf], f32)))
print("NanEqualsNanOnlyWhenAsked:", np.isclose([np.nan, 1, np.nan], [np.nan, np.nan, 1], equal_nan=True),
      np.isclose([np.nan, 1, np.nan], [np.nan, np.nan, 1], equal_nan=False))
print("Float16AndBfloat16AreDecoded: float16(1.01) =", float(np.float16(1.01)),
      " isclose:", np.isclose(np.float16(1.0), np.float16(1.01), rtol=1e-3, atol=1e-5))
print("ComplexValuesUseTheModulus: |(1+1j)-(1+1.1j)| in complex64 =", repr(float(abs(np.complex64(1 + 1j) - np.complex64(1 + 1.1j)))))
print("LargeIntegersAreComparedExactly: float64 equal?", float(9007199254740993) == float(9007199254740992))
