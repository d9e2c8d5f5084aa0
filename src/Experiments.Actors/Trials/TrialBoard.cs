using Experiments.Core.Trials;
using Experiments.Training.TensorBoard;

namespace Experiments.Actors.Trials;

/// <summary>
/// A trial-fold's TensorBoard run: its folder is the run (trials/trial-N-fold-K), every metric a
/// scalar tag at its epoch, the GAN's sample grids images, the config an hparams session grouped
/// by config so folds of one config sit together in the HParams tab. `tensorboard --logdir
/// RESULTS/SWEEP` compares every config and fold. Best effort: a failed write is logged by the
/// caller, never fails the trial (the journal and metrics.csv are the record).
/// </summary>
public sealed class TrialBoard : IDisposable
{
    private readonly EventFileWriter _writer;

    public TrialBoard(string directory, TrialKey key, IReadOnlyDictionary<string, object> parameters)
    {
        _writer = EventFileWriter.Create(directory);
        _writer.HParams(parameters, $"config-{key.ConfigId}");
    }

    /// <summary>The trainer starts (again) after <paramref name="lastEpoch"/>: what an earlier, killed or crashed run wrote after it is superseded.</summary>
    public void Resumed(int lastEpoch) => _writer.Restarted(lastEpoch);

    public void Epoch(int epoch, IReadOnlyDictionary<string, double> metrics, IEnumerable<string> images)
    {
        _writer.Scalars(epoch, metrics);
        foreach (var png in images) _writer.Image(epoch, Path.GetFileNameWithoutExtension(png).Split("-epoch-")[0], png);
    }

    public void Ended(TrialStatus status) => _writer.SessionEnd(status switch
    {
        TrialStatus.Completed or TrialStatus.EarlyStopped or TrialStatus.Pruned => SessionStatus.Success,
        TrialStatus.Cancelled => SessionStatus.Unknown,
        _ => SessionStatus.Failure,
    });

    public void Dispose() => _writer.Dispose();
}
