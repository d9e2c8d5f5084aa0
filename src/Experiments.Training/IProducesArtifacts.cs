namespace Experiments.Training;

/// <summary>
/// A trainer that leaves files worth keeping besides metrics (the GAN's sample grids). The actor
/// runtime calls it after each evaluation, on the trainer's own thread.
/// </summary>
public interface IProducesArtifacts
{
    /// <summary>Writes this epoch's artifacts into <paramref name="directory"/>; returns the paths written.</summary>
    IReadOnlyList<string> WriteArtifacts(string directory, int epoch);
}
