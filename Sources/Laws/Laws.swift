// The Laws stage (docs/laws.md): law families (LawFamily, LawShape), the GSL fitting engine
// (NonlinearLeastSquares, fitParameters, bootstrapParameters), validation and selection
// (fitCategory, FitResult), and the FittedLaw the Planner predicts with.
