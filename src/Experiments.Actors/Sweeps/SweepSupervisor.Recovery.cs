using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Experiments.Actors.Datasets;
using Experiments.Core.Scheduling;
using Experiments.Core.Search;

namespace Experiments.Actors.Sweeps;

/// <summary>
/// How a sweep comes back and begins: from its journal (and snapshots), or, for a new sweep, by
/// journalling the spec the manager opened it with; then its results folder and its scheduler.
/// </summary>
public sealed partial class SweepSupervisor
{
    private void OnRecovered()
    {
        if (_state.Spec is null)
        {
            if (_submitted is null)
            {
                // Opened by an earlier version, killed before this journal's first entry: the manager decides.
                _log.Warning("Sweep {SweepId}: nothing in the journal under {PersistenceId} to resume", _name, PersistenceId);
                Context.Parent.Tell(new SweepProtocol.SweepNotStarted(_name));
                Become(() => Command<SweepProtocol.GetStatus>(_ => Sender.Tell(new SweepProtocol.UnknownSweep(_name))));
                return;
            }
            MoveAsideStaleResults(_submitted.Name);
            Persist(new SweepEvents.SweepStarted(_submitted.Json), _ =>
            {
                _state.Start(_submitted);
                Begin();
            });
            return;
        }
        _log.Info("Sweep {SweepId} recovered from the journal: {Ended} trial-folds ended, {Interrupted} interrupted",
            _name, _state.Outcomes.Count, _state.Interrupted.Count());
        Begin();
    }

    private void Begin()
    {
        _spec = _state.Spec!;
        _results = new SweepResults(Path.Combine(_resultsRoot, _spec.Name));
        _results.WriteSpec(_state.SpecText!);
        _scheduler = new SweepScheduler(_spec, SearchMethods.Create(_spec), _state.Record);
        if (_state.Ended is { } ended)
        {
            Report(ended.State, ended.TestScore, ended.TestMetrics);
            return;
        }
        Become(LoadingData);
        _datasets.Tell(new DatasetProtocol.GetDataset(_spec.Dataset));
        Stash.UnstashAll();
    }

    /// <summary>A folder left by an earlier sweep of the same name but another spec: kept, renamed, never mixed in.</summary>
    private void MoveAsideStaleResults(string name)
    {
        var folder = Path.Combine(_resultsRoot, name);
        if (!Directory.Exists(folder)) return;
        var aside = $"{folder}.previous-{DateTime.UtcNow:yyyyMMdd-HHmmss}";
        Directory.Move(folder, aside);
        _log.Warning("Sweep {SweepId}: results of an earlier sweep with another spec moved to {Folder}", name, aside);
    }

    private void MaybeSnapshot()
    {
        if (++_state.EventsSinceSnapshot < SnapshotEvery) return;
        _state.EventsSinceSnapshot = 0;
        SaveSnapshot(_state.ToSnapshot());
    }
}
