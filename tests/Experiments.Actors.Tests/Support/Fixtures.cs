using Akka.Configuration;
using Experiments.Core.Spec;
using Experiments.Training.Data;

// Two cores are shared: one test at a time, one trainer thread per trial.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Experiments.Actors.Tests.Support;

/// <summary>The real default digits, the first 600 samples, loaded once and shared read-only.</summary>
public sealed class DigitsFixture : IDisposable
{
    public static readonly DatasetSpec Spec = new(DatasetSpec.DefaultName, null, null, 600);

    public DigitDataset Digits { get; } = DigitDataset.Load(Spec);

    public void Dispose() => Digits.Dispose();
}

[CollectionDefinition(Name)]
public sealed class DigitsCollection : ICollectionFixture<DigitsFixture>
{
    public const string Name = "default digits (600)";
}

/// <summary>The actor system settings of every actor spec: the pinned trainer dispatcher, quiet logs.</summary>
public static class TestConfig
{
    public static Config Actors { get; } = ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(ActorsConfig.Config);

    /// <summary>Generous: CI machines are slow and shared. Nothing waits this long when things work.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>For a whole (tiny) sweep.</summary>
    public static readonly TimeSpan SweepPatience = TimeSpan.FromMinutes(4);
}
