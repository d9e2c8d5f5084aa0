using System.Collections.Immutable;

namespace Experiments.Core.Folds;

/// <summary>One cross-validation fold: sample indices to train on and to validate on.</summary>
public sealed record Fold(int Number, ImmutableArray<int> Train, ImmutableArray<int> Validation);

/// <summary>
/// The split of a dataset for a sweep: a held-out test part (scored once, by the final model) and
/// k folds over the rest. Everything is an index set over the one shared dataset, never a copy.
/// </summary>
public sealed record DataSplit(ImmutableArray<int> TrainPool, ImmutableArray<int> Test, ImmutableArray<Fold> Folds);

/// <summary>
/// Seeded, pure (stratified) k-fold splitting. Stratified: each class is dealt round-robin over
/// the folds after a seeded shuffle, so every class's count differs by at most one between folds.
/// </summary>
public static class FoldSplitter
{
    public static DataSplit Split(IReadOnlyList<int> labels, int folds, double testFraction, bool stratified, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
        if (testFraction is < 0 or >= 1) throw new ArgumentOutOfRangeException(nameof(testFraction), testFraction, "must be in [0, 1)");

        var random = new Random(seed);
        var groups = stratified
            ? labels.Select((label, index) => (label, index)).GroupBy(x => x.label).OrderBy(g => g.Key)
                .Select(g => Shuffled(g.Select(x => x.index), random)).ToList()
            : [Shuffled(Enumerable.Range(0, labels.Count), random)];

        var test = new List<int>();
        var pool = new List<int>();
        var foldMembers = Enumerable.Range(0, folds).Select(_ => new List<int>()).ToArray();
        var nextFold = 0; // continues across classes so that fold sizes stay within one of each other
        foreach (var group in groups)
        {
            var testCount = (int)Math.Round(group.Count * testFraction);
            test.AddRange(group.Take(testCount));
            foreach (var index in group.Skip(testCount))
            {
                pool.Add(index);
                foldMembers[nextFold].Add(index);
                nextFold = (nextFold + 1) % folds;
            }
        }

        var validationSets = foldMembers.Select(m => m.Order().ToImmutableArray()).ToArray();
        var built = Enumerable.Range(0, folds).Select(k => new Fold(
            k,
            validationSets.Where((_, j) => j != k).SelectMany(v => v).Order().ToImmutableArray(),
            validationSets[k])).ToImmutableArray();
        return new DataSplit(pool.Order().ToImmutableArray(), test.Order().ToImmutableArray(), built);
    }

    private static List<int> Shuffled(IEnumerable<int> items, Random random)
    {
        var list = items.ToList();
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
        return list;
    }
}
