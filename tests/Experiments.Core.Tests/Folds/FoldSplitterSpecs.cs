using Experiments.Core.Folds;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Experiments.Core.Tests.Folds;

public class FoldSplitterSpecs
{
    private static int[] Labels(int[] raw) => raw.Select(x => Math.Abs(x % 10)).ToArray();

    [Property(MaxTest = 200)]
    public bool Validation_sets_partition_the_training_pool(int[] raw, PositiveInt k, int seed)
    {
        var labels = Labels(raw);
        var folds = k.Get % 6 + 2;
        var split = FoldSplitter.Split(labels, folds, 0.0, stratified: true, seed);
        var all = split.Folds.SelectMany(f => f.Validation).Order().ToArray();
        return all.SequenceEqual(Enumerable.Range(0, labels.Length)) && split.Test.IsEmpty;
    }

    [Property(MaxTest = 200)]
    public bool Train_and_validation_of_a_fold_are_disjoint_and_cover_the_pool(int[] raw, int seed)
    {
        var split = FoldSplitter.Split(Labels(raw), 3, 0.2, stratified: true, seed);
        return split.Folds.All(f =>
            !f.Train.Intersect(f.Validation).Any() &&
            f.Train.Concat(f.Validation).Order().SequenceEqual(split.TrainPool));
    }

    [Property(MaxTest = 200)]
    public bool Each_class_is_balanced_within_one_sample_across_folds(int[] raw, PositiveInt k, int seed)
    {
        var labels = Labels(raw);
        var split = FoldSplitter.Split(labels, k.Get % 6 + 2, 0.1, stratified: true, seed);
        return labels.Distinct().All(c =>
        {
            var counts = split.Folds.Select(f => f.Validation.Count(i => labels[i] == c)).ToArray();
            return counts.Max() - counts.Min() <= 1;
        });
    }

    [Property(MaxTest = 100)]
    public bool The_same_seed_gives_the_same_folds(int[] raw, int seed)
    {
        var labels = Labels(raw);
        var a = FoldSplitter.Split(labels, 4, 0.1, true, seed);
        var b = FoldSplitter.Split(labels, 4, 0.1, true, seed);
        return a.Test.SequenceEqual(b.Test) &&
               a.Folds.Zip(b.Folds).All(p => p.First.Validation.SequenceEqual(p.Second.Validation));
    }

    [Property(MaxTest = 100)]
    public bool Test_part_is_disjoint_from_the_pool_and_the_two_cover_everything(int[] raw, int seed)
    {
        var labels = Labels(raw);
        var split = FoldSplitter.Split(labels, 2, 0.25, false, seed);
        return !split.Test.Intersect(split.TrainPool).Any() &&
               split.Test.Concat(split.TrainPool).Order().SequenceEqual(Enumerable.Range(0, labels.Length));
    }

    [Fact]
    public void Should_hold_out_about_the_requested_test_fraction_of_each_class()
    {
        var labels = Enumerable.Range(0, 1000).Select(i => i % 10).ToArray();
        var split = FoldSplitter.Split(labels, 5, 0.1, stratified: true, seed: 3);
        Assert.Equal(100, split.Test.Length);
        Assert.All(Enumerable.Range(0, 10), c => Assert.Equal(10, split.Test.Count(i => labels[i] == c)));
    }

    [Fact]
    public void Different_seeds_give_different_folds()
    {
        var labels = Enumerable.Range(0, 500).Select(i => i % 10).ToArray();
        var a = FoldSplitter.Split(labels, 5, 0.0, true, 1);
        var b = FoldSplitter.Split(labels, 5, 0.0, true, 2);
        Assert.NotEqual(a.Folds[0].Validation, b.Folds[0].Validation);
    }
}
