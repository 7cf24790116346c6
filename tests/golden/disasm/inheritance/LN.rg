# a child: overrides a parameter, and changes another in two versions
policy LN extends CN
param ratio = 80%
version "2024" from 2024-01-01 until 2024-12-31 {
  param cap = ¥2_000
}
version "2025" from 2025-01-01 {
  param cap = ¥3_000
}
