using Akka.Configuration;

namespace Experiments.Actors;

/// <summary>
/// The Akka settings the actors need: the pinned dispatcher every trainer runs on, a coarser
/// scheduler tick, and the journal's own serializer for everything the actors persist.
/// </summary>
public static class ActorsConfig
{
    /// <summary>
    /// One dedicated thread per trainer (torch's thread count and dispose scopes are per thread),
    /// and nothing else waking up on the cores the trainers need.
    /// </summary>
    public const string Hocon = """
        # The scheduler's wheel ticks on a timer; at the default 10 ms its wake-ups took CPU from
        # the trainers (2-3 % of a core). Nothing here needs timing finer than a tenth of a second.
        akka.scheduler.tick-duration = 100ms
        # How long a sweep list waits for each sweep's status; a sweep that does not answer in time
        # (slow journal, recovering) is listed as not-responding. Below the HTTP API's 30 s.
        experiments.sweep-manager.status-timeout = 5s
        # Recovery (snapshot, then events) gives up after 30 s by default; on a loaded machine the
        # SQLite journal's first read took longer, and the sweep manager stopped at start-up.
        akka.persistence.journal-plugin-fallback.recovery-event-timeout = 120s
        akka.persistence.journal.sql.recovery-event-timeout = 120s
        experiments.trainer-dispatcher {
          type = PinnedDispatcher
          executor = thread-pool-executor
          thread-pool-executor.allow-core-timeout = off
        }
        # Journalled types are written by explicit, versioned contracts (JournalContracts), never
        # with CLR type names. Rows written before this carry serializer id 1 (Akka's default) and
        # are still read by it: Akka picks the deserializer by the id stored in each row.
        akka.actor {
          serializers.experiments-journal = "Experiments.Actors.Serialization.JournalSerializer, Experiments.Actors"
          # Between the nodes of a cluster: explicit contracts too (ClusterContracts).
          serializers.experiments-cluster = "Experiments.Actors.Cluster.ClusterSerializer, Experiments.Actors"
          serialization-bindings {
            "Experiments.Actors.Sweeps.ISweepEvent, Experiments.Actors" = experiments-journal
            "Experiments.Actors.Sweeps.ISweepManagerEvent, Experiments.Actors" = experiments-journal
            "Experiments.Actors.Cluster.IClusterMessage, Experiments.Actors" = experiments-cluster
          }
        }
        """;

    public static Config Config => ConfigurationFactory.ParseString(Hocon);
}
