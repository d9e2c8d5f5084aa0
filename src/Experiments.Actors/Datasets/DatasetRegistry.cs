using Akka.Actor;
using Akka.Event;
using Experiments.Core.Spec;
using Experiments.Training.Data;

namespace Experiments.Actors.Datasets;

public static class DatasetProtocol
{
    public sealed record GetDataset(DatasetSpec Spec);
    public sealed record DatasetReady(DatasetSpec Spec, IDigitSource Source);
    public sealed record DatasetUnavailable(DatasetSpec Spec, string Reason);
}

/// <summary>
/// /user/datasets: loads each dataset once per host (off the actor's thread) and hands the same
/// read-only source to every sweep that asks. Supervision: default (restart) — a restart forgets
/// loaded datasets, which are then loaded again on the next request.
/// </summary>
public sealed class DatasetRegistry : ReceiveActor
{
    private sealed record Loaded(DatasetSpec Spec, IDigitSource Source);
    private sealed record LoadFailed(DatasetSpec Spec, string Reason);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly string? _cacheDirectory;
    private readonly Dictionary<DatasetSpec, IDigitSource> _loaded = new();
    private readonly Dictionary<DatasetSpec, List<IActorRef>> _waiting = new();

    public static Props Props(string? cacheDirectory = null) => Akka.Actor.Props.Create(() => new DatasetRegistry(cacheDirectory));

    public DatasetRegistry(string? cacheDirectory)
    {
        _cacheDirectory = cacheDirectory;
        Serving();
    }

    private void Serving()
    {
        Receive<DatasetProtocol.GetDataset>(request =>
        {
            if (_loaded.TryGetValue(request.Spec, out var source))
            {
                Sender.Tell(new DatasetProtocol.DatasetReady(request.Spec, source));
                return;
            }
            if (_waiting.TryGetValue(request.Spec, out var waiting))
            {
                waiting.Add(Sender);
                return;
            }
            _waiting[request.Spec] = [Sender];
            _log.Info("Loading dataset {Dataset} (limit {Limit})", request.Spec.Name, request.Spec.Limit);
            var spec = request.Spec;
            var cache = _cacheDirectory;
            Task.Run(() => DigitDataset.Open(spec, cache)).PipeTo(Self,
                success: s => new Loaded(spec, s),
                failure: e => new LoadFailed(spec, (e is AggregateException a ? a.InnerException ?? e : e).Message));
        });

        Receive<Loaded>(loaded =>
        {
            _loaded[loaded.Spec] = loaded.Source;
            _log.Info("Dataset {Dataset} ready: {Count} samples", loaded.Spec.Name, loaded.Source.Count);
            Reply(loaded.Spec, new DatasetProtocol.DatasetReady(loaded.Spec, loaded.Source));
        });

        Receive<LoadFailed>(failed =>
        {
            _log.Error("Dataset {Dataset} unavailable: {Reason}", failed.Spec.Name, failed.Reason);
            Reply(failed.Spec, new DatasetProtocol.DatasetUnavailable(failed.Spec, failed.Reason));
        });
    }

    private void Reply(DatasetSpec spec, object message)
    {
        if (_waiting.Remove(spec, out var waiting))
            foreach (var requester in waiting) requester.Tell(message);
    }

    protected override void PostStop()
    {
        foreach (var source in _loaded.Values) source.Dispose();
        _loaded.Clear();
    }
}
