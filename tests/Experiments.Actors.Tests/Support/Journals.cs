using System.Collections.Concurrent;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Experiments.Actors.Tests.Support;

/// <summary>
/// The in-memory journal, except that writes for a held persistence id wait until released: a
/// slow disk under one actor. Persistent actors stash their commands while a write is pending,
/// so a held actor does not answer (what a sweep looks like to its manager on a stalled journal).
/// </summary>
public sealed class GatedJournal : MemoryJournal
{
    public const string PluginId = "akka.persistence.journal.gated";

    private static readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> Gates = new();

    public static Config Config { get; } = ConfigurationFactory.ParseString($$"""
        akka.persistence.journal.plugin = "{{PluginId}}"
        {{PluginId}} {
          class = "{{typeof(GatedJournal).AssemblyQualifiedName}}"
          plugin-dispatcher = "akka.actor.default-dispatcher"
        }
        """);

    /// <summary>Writes of every persistence id starting with <paramref name="prefix"/> wait from now on.</summary>
    public static void Hold(string prefix) => Gates[prefix] = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The held writes go to the journal.</summary>
    public static void Release(string prefix) => Open(prefix, write: true);

    /// <summary>The held writes are lost, as a kill -9 loses a write in flight: the journal never holds them.</summary>
    public static void Drop(string prefix) => Open(prefix, write: false);

    private static void Open(string prefix, bool write)
    {
        if (Gates.TryRemove(prefix, out var gate)) gate.SetResult(write);
    }

    protected override async Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages, CancellationToken cancellationToken)
    {
        var writes = messages.ToList();
        var held = Gates.Where(g => writes.Any(w => w.PersistenceId.StartsWith(g.Key, StringComparison.Ordinal))).Select(g => g.Value.Task).ToList();
        foreach (var gate in held)
            if (!await gate)
                return writes.Select(_ => (Exception)new IOException("write dropped by the test")).ToImmutableList();
        return await base.WriteMessagesAsync(writes, cancellationToken);
    }
}

/// <summary>
/// Writes events into the journal under a persistence id, as an earlier (killed) host left them,
/// and reads back what is there. Replies with the events it recovered, then stops.
/// </summary>
public sealed class JournalWriter : ReceivePersistentActor
{
    public sealed record Written(IReadOnlyList<object> Recovered);

    private readonly List<object> _recovered = new();

    public override string PersistenceId { get; }

    public static Props Props(string persistenceId, IReadOnlyList<object> events, IActorRef replyTo) =>
        Akka.Actor.Props.Create(() => new JournalWriter(persistenceId, events, replyTo));

    public JournalWriter(string persistenceId, IReadOnlyList<object> events, IActorRef replyTo)
    {
        PersistenceId = persistenceId;
        Recover<RecoveryCompleted>(_ => Self.Tell("write"));
        Recover<object>(e => _recovered.Add(e));
        Command<string>(_ =>
        {
            var recovered = _recovered.ToList();
            PersistAll(events, _ => { });
            DeferAsync("written", _ =>
            {
                replyTo.Tell(new Written(recovered));
                Context.Stop(Self);
            });
        });
    }
}
