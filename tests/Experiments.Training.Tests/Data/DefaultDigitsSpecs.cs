namespace Experiments.Training.Tests.Data;

[Collection(DigitsCollection.Name)]
public class DefaultDigitsSpecs(DefaultDigitsFixture fixture)
{
    [Fact]
    public void Should_hold_the_ten_thousand_real_digits_of_all_ten_classes()
    {
        var digits = fixture.Digits;
        Assert.Equal(10_000, digits.Count);
        var counts = digits.ClassCounts();
        Assert.Equal(10, counts.Count);
        Assert.All(counts.Values, c => Assert.InRange(c, 850, 1150));
        Assert.InRange(digits.Images.max().item<float>(), 0.99f, 1f);
        Assert.Equal(0f, digits.Images.min().item<float>());
    }

    [Fact]
    public void Should_mix_the_classes_so_that_a_prefix_is_a_fair_sample()
    {
        var firstThousand = fixture.Digits.LabelArray.Take(1000).GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(10, firstThousand.Count);
        Assert.All(firstThousand.Values, c => Assert.InRange(c, 60, 140));
    }
}
