using System.Collections.Immutable;
using Akka.Actor;
using Akka.Event;
using Experiments.Core.Spec;
using static Experiments.Actors.Cluster.ClusterProtocol;

namespace Experiments.Actors.Cluster;

/// <summary>
/// The coordinator's IDX files for workers that cannot read them (/user/work-queue/data). A
/// RemoteTrial describes its sweep's dataset (<see cref="DescribeData"/>): each file is hashed
/// once (again only if its size or time changed) and from then on may be served, by its hash
/// only. Nothing else is ever served: a worker names a hash, never a path, and the queue passes on
/// only the requests of registered workers. A file is read whole, checked against its hash (a
/// file changed since the sweep loaded it is refused), and streamed in acknowledged chunks.
/// Supervision: no children.
/// </summary>
public sealed class DataServer : ReceiveActor
{
    private sealed record Known(string Path, string Sha256, long Size, DateTime Written);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Dictionary<string, Known> _byPath = new();
    private readonly Dictionary<string, Known> _byHash = new();
    private readonly Dictionary<(IActorRef To, string Sha256), ChunkSender> _sending = new();

    public static Props Props() => Akka.Actor.Props.Create(() => new DataServer());

    public DataServer() => Serving();

    private void Serving()
    {
        Receive<DescribeData>(describe => Sender.Tell(Describe(describe.Dataset)));
        Receive<FetchData>(Serve);
        Receive<ChunkAck>(ack =>
        {
            var sha = ack.WorkId.StartsWith("data-", StringComparison.Ordinal) ? ack.WorkId[5..] : "";
            if (!_sending.TryGetValue((Sender, sha), out var sender)) return;
            sender.Acked();
            sender.Pump(Sender, Self);
            if (!sender.Done) return;
            _sending.Remove((Sender, sha));
            _log.Info("Sent data file {Sha256} to {Node}", sha, Sender.Path.Address);
        });
        Receive<Terminated>(t =>
        {
            foreach (var key in _sending.Keys.Where(k => k.To.Equals(t.ActorRef)).ToList()) _sending.Remove(key);
        });
    }

    private DataDescribed Describe(DatasetSpec dataset)
    {
        if (dataset is not { Images: { } images, Labels: { } labels }) return new DataDescribed([], null);
        try
        {
            return new DataDescribed([.. new[] { images, labels }.Select(Hashed).Select(k => new DataFile(k.Path, k.Sha256, k.Size))], null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new DataDescribed([], e.Message);
        }
    }

    private Known Hashed(string path)
    {
        var info = new FileInfo(path);
        if (_byPath.TryGetValue(path, out var known) && known.Size == info.Length && known.Written == info.LastWriteTimeUtc) return known;
        known = new Known(path, FileChunks.Sha256Of(path), info.Length, info.LastWriteTimeUtc);
        _byPath[path] = known;
        _byHash[known.Sha256] = known;
        _log.Info("Data file {Path} ({Size} bytes) may be served to workers as {Sha256}", path, known.Size, known.Sha256);
        return known;
    }

    private void Serve(FetchData fetch)
    {
        if (!_byHash.TryGetValue(fetch.Sha256, out var known))
        {
            Sender.Tell(new FetchRefused(fetch.Sha256, "no sweep of this coordinator loaded a data file of that hash"));
            return;
        }
        byte[] bytes;
        try { bytes = File.ReadAllBytes(known.Path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Sender.Tell(new FetchRefused(fetch.Sha256, $"{known.Path} unreadable on the coordinator: {e.Message}"));
            return;
        }
        if (FileChunks.Sha256Of(bytes) != known.Sha256)
        {
            Sender.Tell(new FetchRefused(fetch.Sha256, $"{known.Path} changed on the coordinator since its sweep loaded it"));
            return;
        }
        var sender = new ChunkSender(DataTransfer(known.Sha256));
        sender.Enqueue(known.Sha256, bytes);
        _sending[(Sender, known.Sha256)] = sender;
        Context.Watch(Sender);
        _log.Info("Sending data file {Path} ({Size} bytes) to {Node}", known.Path, known.Size, Sender.Path.Address);
        sender.Pump(Sender, Self);
    }
}
