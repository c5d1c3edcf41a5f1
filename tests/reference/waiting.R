# Reference values for evalkit.measures.waiting (waiting times against the care guarantee).
#
# Run from the repository root:  Rscript tests/reference/waiting.R
# Reads  tests/reference/data/waits.csv
# Writes tests/reference/expected/waiting.csv, tests/reference/expected/waiting_monthly.csv
#
# Independent re-implementation of the measure's definitions:
#   wait (days)  = event_date - contact_date; still waiting (empty event_date) = censored at
#                  the cut-off 2024-12-31 with time cut-off - contact_date
#   median / p90 = survfit(Surv(days, treated) ~ 1): print median (summary(fit)$table) and
#                  quantile(fit, 0.9)
#   limit        = 14 days for contacts before 2023-01-01, 7 days from then on
#   share within = among contacts with cut-off - contact >= limit: treated with days <= limit;
#                  Wilson interval = prop.test(correct = FALSE)
#   ITS          = monthly share within 7 days (all sites, by contact month, same
#                  determinable rule), glm(share ~ time + post + time_after + sin1 + cos1 +
#                  sin2 + cos2, gaussian, weights = determinable), change 2023-04;
#                  se = max(NeweyWest(lag = 3, prewhite = FALSE, adjust = TRUE),
#                           NeweyWest(lag = 0, prewhite = FALSE, adjust = TRUE),
#                           SE of the glm estimate under the AR(1) covariance of
#                           nlme::gls(corAR1(form = ~ time), varFixed(~ 1/determinable),
#                           method = "REML"): A^-1 X'W S W X A^-1, A = X'WX,
#                           S = sigma^2 W^-1/2 R(phi) W^-1/2);
#                  interval estimate +- qt(0.975, n - k) * se

suppressPackageStartupMessages({library(survival); library(sandwich); library(nlme)})
w <- read.csv("tests/reference/data/waits.csv", na.strings = "")
cutoff <- as.Date("2024-12-31")
w$contact <- as.Date(w$contact_date)
w$event <- as.Date(w$event_date)
w$treated <- as.integer(!is.na(w$event))
w$days <- as.numeric(ifelse(is.na(w$event), cutoff - w$contact, w$event - w$contact))
w$year <- format(w$contact, "%Y")
w$limit <- ifelse(w$contact < as.Date("2023-01-01"), 14, 7)
w$age <- as.numeric(cutoff - w$contact)

rows <- list()
add <- function(quantity, group, estimate, ci_low, ci_high, n, numerator = NA) {
  rows[[length(rows) + 1]] <<- data.frame(quantity = quantity, group = group, estimate = estimate,
                                          ci_low = ci_low, ci_high = ci_high, n = n, numerator = numerator)
}
groups <- list(all = w)
for (s in unique(w$site)) groups[[paste0("site:", s)]] <- w[w$site == s, ]
for (y in unique(w$year)) groups[[paste0("year:", y)]] <- w[w$year == y, ]
for (g in names(groups)) {
  d <- groups[[g]]
  fit <- survfit(Surv(days, treated) ~ 1, data = d)
  tab <- summary(fit)$table
  add("median_days", g, tab[["median"]], tab[["0.95LCL"]], tab[["0.95UCL"]], nrow(d))
  q <- quantile(fit, probs = 0.9)
  add("p90_days", g, unname(q$quantile), unname(q$lower), unname(q$upper), nrow(d))
  k <- d[d$age >= d$limit, ]
  x <- sum(k$treated == 1 & k$days <= k$limit)
  ci <- suppressWarnings(prop.test(x, nrow(k), correct = FALSE))$conf.int
  add("share_within_limit", g, x / nrow(k), ci[1], ci[2], nrow(k), x)
  add("cases", g, nrow(d), NA, NA, nrow(d))
  add("still_waiting", g, sum(d$treated == 0), NA, NA, nrow(d))
}

k <- w[w$age >= 7, ]
k$within <- as.integer(k$treated == 1 & k$days <= 7)
k$month <- format(k$contact, "%Y-%m")
m <- aggregate(within ~ month, data = k, FUN = function(v) c(n = length(v), x = sum(v)))
m <- data.frame(month = m$month, determinable = m$within[, "n"], within = m$within[, "x"])
m <- m[order(m$month), ]
m$share <- m$within / m$determinable
m$time <- seq_len(nrow(m)) - 1
t0 <- which(m$month == "2023-04") - 1
m$post <- as.integer(m$time >= t0)
m$time_after <- (m$time - t0) * m$post
cal <- as.integer(substr(m$month, 6, 7))
for (h in 1:2) {
  m[[paste0("sin", h)]] <- sin(2 * pi * h * cal / 12)
  m[[paste0("cos", h)]] <- cos(2 * pi * h * cal / 12)
}
fit <- glm(share ~ time + post + time_after + sin1 + cos1 + sin2 + cos2, family = gaussian, data = m,
           weights = determinable, control = glm.control(epsilon = 1e-14))
V3 <- NeweyWest(fit, lag = 3, prewhite = FALSE, adjust = TRUE)
V0 <- NeweyWest(fit, lag = 0, prewhite = FALSE, adjust = TRUE)
g <- gls(share ~ time + post + time_after + sin1 + cos1 + sin2 + cos2, data = m,
         correlation = corAR1(form = ~ time), weights = varFixed(~ 1 / determinable), method = "REML",
         control = glsControl(tolerance = 1e-10, msTol = 1e-10, maxIter = 200, msMaxIter = 500))
phi <- unname(coef(g$modelStruct$corStruct, unconstrained = FALSE))
X <- model.matrix(fit)
wt <- m$determinable
A_inv <- solve(t(X) %*% (wt * X))
S <- g$sigma^2 * phi^abs(outer(m$time, m$time, "-"))
Xs <- sqrt(wt) * X
Var1 <- A_inv %*% t(Xs) %*% S %*% Xs %*% A_inv
dimnames(Var1) <- list(colnames(X), colnames(X))
df <- nrow(m) - length(coef(fit))
for (term in c("post", "time_after")) {
  se <- max(sqrt(V3[term, term]), sqrt(V0[term, term]), sqrt(Var1[term, term]))
  b <- coef(fit)[[term]]
  name <- if (term == "post") "its_level_change" else "its_slope_change"
  add(name, "all", b, b - qt(0.975, df) * se, b + qt(0.975, df) * se, nrow(m))
}
write.csv(do.call(rbind, rows), "tests/reference/expected/waiting.csv", row.names = FALSE)
write.csv(m[, c("month", "determinable", "within", "share")], "tests/reference/expected/waiting_monthly.csv",
          row.names = FALSE)
cat(sprintf("wrote waiting.csv, waiting_monthly.csv; R %s, survival %s, sandwich %s, nlme %s; AR(1) phi %.6f\n",
            getRversion(), packageVersion("survival"), packageVersion("sandwich"), packageVersion("nlme"), phi))
