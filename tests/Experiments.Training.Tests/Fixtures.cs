using Experiments.Core.Spec;
using Experiments.Training.Data;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Experiments.Training.Tests;

/// <summary>The real default digits, loaded once for every test that needs them.</summary>
public sealed class DefaultDigitsFixture : IDisposable
{
    public DigitDataset Digits { get; } = DigitDataset.Load(new DatasetSpec(DatasetSpec.DefaultName, null, null, null));

    public void Dispose() => Digits.Dispose();
}

[CollectionDefinition(Name)]
public sealed class DigitsCollection : ICollectionFixture<DefaultDigitsFixture>
{
    public const string Name = "default digits";
}
