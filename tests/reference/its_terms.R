# Segmented-regression terms shared by its.R and its_ar1.R (sourced from the repository root):
#   time        months since the first month of the series (0, 1, 2, ...)
#   post        1 from the change month on
#   time_after  months since the change month in the post-period, 0 before
#   sinK, cosK  sin/cos(2*pi*K*m/12), m = calendar month 1..12, K = 1..harmonics
terms_for <- function(d, change, harmonics) {
  d$time <- seq_len(nrow(d)) - 1
  t0 <- which(d$month == change) - 1
  d$post <- as.integer(d$time >= t0)
  d$time_after <- (d$time - t0) * d$post
  m <- as.integer(substr(d$month, 6, 7))
  rhs <- c("time", "post", "time_after")
  if (harmonics > 0) {
    for (k in seq_len(harmonics)) {
      d[[paste0("sin", k)]] <- sin(2 * pi * k * m / 12)
      d[[paste0("cos", k)]] <- cos(2 * pi * k * m / 12)
      rhs <- c(rhs, paste0("sin", k), paste0("cos", k))
    }
  }
  list(data = d, rhs = rhs)
}
