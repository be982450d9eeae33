import Fits
import Laws
import Store

extension LawSet {
    /// These laws with those of `fits` that are laws of the shares (`LocalFit.refitsNearRecipe`)
    /// refitted near the recipe these laws give for `request`, the refits stored with the
    /// source's other fits and the source's laws read back (nil `bandwidth`, or no law of the
    /// shares among `fits`: these laws as they are, nothing refitted).
    ///
    /// Why: a quadratic in the shares is a response surface; fitted to every run alike, the runs
    /// at the simplex's edges set its curvature at the recipe (docs/laws.md, "Near a mixture").
    /// `sweep run --adaptive` designs each round and makes its last recommendation from these
    /// laws; `recommend --local-bandwidth` makes one from them.
    public func refittedNearRecipe(of fits: [FitResult], request: RecommendationRequest, bandwidth: Double?,
                                   store: ResultStore) throws -> (laws: LawSet, refitted: [FitResult]) {
        let shares = fits.filter { LawFamily(rawValue: $0.family).map(LocalFit.refitsNearRecipe) ?? false }
        guard let bandwidth, !shares.isEmpty else { return (self, []) }
        let recipe = try recommend(request).mixture(catalogue: catalogue)
        let local = try SourceFits.fit(near: try LocalFit(centre: recipe, bandwidth: bandwidth), refitting: shares, store: store, label: source)
        if let failed = local.failures.first {
            throw LawError.notLocal("the law of \(failed.category) could not be refitted near the recipe: \(failed.reason)")
        }
        return (try LawSet.load(store: store, source: source).0, local.fits)
    }
}
