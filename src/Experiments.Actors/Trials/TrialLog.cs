using Akka.Actor;
using Akka.Event;
using Akka.Logger.Serilog;
using Experiments.Actors.Cluster;
using Experiments.Core.Trials;

namespace Experiments.Actors.Trials;

/// <summary>
/// The logger of every actor of a trial: each event carries SweepId, TrialId and Fold as
/// properties (templates add Epoch), and Node: the node it runs on (host:port in a cluster), so the CLEF log can be queried per trial.
/// </summary>
public static class TrialLog
{
    public static ILoggingAdapter For(IActorContext context, string sweep, TrialKey key) =>
        context.GetLogger().WithContext("SweepId", sweep).WithContext("TrialId", key.ConfigId).WithContext("Fold", key.Fold)
            .WithContext("Node", NodeName.Of(context.System));
}
