# Reference values for tests/stats/test_effects.py and test_stability.py, from lme4.
# Run from this folder:  Rscript make_expected.R   (writes expected_lme4.json)
# R 4.x, lme4 (REML fits, default optimiser), as recorded in expected_lme4.json.
suppressMessages(library(lme4))
sc <- read.csv("scores_long.csv", stringsAsFactors = TRUE)
# the criterion-level juror model of kinerja.stats.effects.juror_model
m1 <- lmer(score ~ 1 + (1 | subject_id) + (1 | juror_id) + (1 | criterion_id) +
             (1 | subject_id:juror_id) + (1 | subject_id:criterion_id), data = sc, REML = TRUE,
           control = lmerControl(optimizer = "bobyqa", optCtrl = list(maxfun = 1e5)))
vc1 <- as.data.frame(VarCorr(m1))
re1 <- ranef(m1, condVar = TRUE)$juror_id
cv1 <- attr(re1, "postVar")
tot <- read.csv("totals_long.csv", stringsAsFactors = TRUE)
tot$panel <- relevel(tot$panel, ref = "akademisi")
# the panel model of kinerja.stats.effects.panel_effects
m2 <- lmer(score ~ panel + (1 | subject_id) + (1 | juror_id), data = tot, REML = TRUE)
co2 <- summary(m2)$coefficients
# the units x jurors model of kinerja.stats.stability.grade_stability
m3 <- lmer(score ~ 1 + (1 | subject_id) + (1 | juror_id), data = tot, REML = TRUE)
vc3 <- as.data.frame(VarCorr(m3))
re3 <- ranef(m3, condVar = TRUE)$subject_id
num <- function(x) format(x, digits = 10)
out <- c(
  "{",
  sprintf('  "r_version": "%s", "lme4_version": "%s",', R.version.string, packageVersion("lme4")),
  '  "juror_model": {',
  sprintf('    "variance": {%s},', paste(sprintf('"%s": %s', vc1$grp, num(vc1$vcov)), collapse = ", ")),
  sprintf('    "reml_criterion": %s,', num(REMLcrit(m1))),
  sprintf('    "juror_blup": {%s},', paste(sprintf('"%s": %s', rownames(re1), num(re1[, 1])), collapse = ", ")),
  sprintf('    "juror_cond_sd": {%s}', paste(sprintf('"%s": %s', rownames(re1), num(sqrt(cv1[1, 1, ]))), collapse = ", ")),
  "  },",
  '  "panel_model": {',
  sprintf('    "estimate": {%s},', paste(sprintf('"%s": %s', rownames(co2), num(co2[, 1])), collapse = ", ")),
  sprintf('    "se": {%s}', paste(sprintf('"%s": %s', rownames(co2), num(co2[, 2])), collapse = ", ")),
  "  },",
  '  "totals_model": {',
  sprintf('    "variance": {%s},', paste(sprintf('"%s": %s', vc3$grp, num(vc3$vcov)), collapse = ", ")),
  sprintf('    "intercept": %s,', num(fixef(m3)[1])),
  sprintf('    "subject_blup": {%s}', paste(sprintf('"%s": %s', rownames(re3), num(re3[, 1])), collapse = ", ")),
  "  }",
  "}"
)
writeLines(out, "expected_lme4.json")
