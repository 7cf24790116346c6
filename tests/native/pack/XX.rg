# A region with a version: the as-of date picks the ratio.
policy XX extends CN
version 2025 from 2025-01-01 until 2025-12-31 {
  param ratio = 80%
}
