using System.CommandLine;
using Experiments.Host;
using Experiments.Training;
using Serilog;

var fileArgument = new Argument<string>("file")
{
    Description = "sweep spec (HOCON)",
    Arity = ArgumentArity.ZeroOrOne,
    DefaultValueFactory = _ => Commands.DefaultSpecFile,
};
var requiredFile = new Argument<string>("file") { Description = "sweep spec (HOCON)" };
var resultsOption = new Option<string>("--results")
{
    Description = "folder for results, checkpoints and logs",
    DefaultValueFactory = _ => Commands.DefaultResultsDirectory,
};

var run = new Command("run", "Run every sweep of FILE to the end and print the leaderboards") { fileArgument, resultsOption };
run.SetAction(async (parse, cancellation) =>
{
    TorchRuntime.StartLoading();
    var results = parse.GetValue(resultsOption)!;
    if (Logging.TryConfigure(results) is { } loggingError)
    {
        Console.Error.WriteLine(loggingError);
        return ExitCodes.InvalidInput;
    }
    try
    {
        return await Commands.RunAsync(parse.GetValue(fileArgument)!, results, Console.Out, cancellation);
    }
    catch (Exception e)
    {
        Log.Fatal(e, "The run stopped unexpectedly");
        return ExitCodes.SweepFailed;
    }
    finally
    {
        await Log.CloseAndFlushAsync();
    }
});

var validate = new Command("validate", "Check a spec: print each sweep's configs, folds and worst-case epochs, or every error") { requiredFile };
validate.SetAction(parse => Commands.Validate(parse.GetValue(requiredFile)!, Console.Out));

var serveFile = new Argument<string?>("file") { Description = "sweep spec (HOCON) to run at start", Arity = ArgumentArity.ZeroOrOne };
var urlsOption = new Option<string>("--urls")
{
    Description = "where the HTTP API listens (loopback unless EXPERIMENTS_API_TOKEN is set)",
    DefaultValueFactory = _ => "http://127.0.0.1:5080",
};
var clusterPortOption = new Option<int?>("--cluster-port") { Description = "coordinate a cluster: remoting on this port; workers join HOST:PORT" };
var clusterHostOption = new Option<string>("--cluster-host")
{
    Description = "address remoting binds (beyond loopback only with EXPERIMENTS_CLUSTER_SECRET)",
    DefaultValueFactory = _ => ClusterSettings.DefaultHost,
};
var localSlotsOption = new Option<int>("--local-slots")
{
    Description = "trial-folds the coordinator trains itself at once (with --cluster-port)",
    DefaultValueFactory = _ => Environment.ProcessorCount,
};
var serve = new Command("serve", "Run as a service: resume unfinished sweeps, take new ones from RESULTS/inbox and the HTTP API")
{
    serveFile, resultsOption, urlsOption, clusterPortOption, clusterHostOption, localSlotsOption,
};
serve.SetAction(async (parse, cancellation) =>
{
    TorchRuntime.StartLoading();
    var results = parse.GetValue(resultsOption)!;
    if (Logging.TryConfigure(results) is { } loggingError)
    {
        Console.Error.WriteLine(loggingError);
        return ExitCodes.InvalidInput;
    }
    try
    {
        var coordinator = parse.GetValue(clusterPortOption) is { } clusterPort
            ? new CoordinatorSettings(new ClusterSettings(parse.GetValue(clusterHostOption)!, clusterPort, parse.GetValue(clusterHostOption)!, clusterPort,
                "coordinator", ClusterSettings.SecretFromEnvironment()), Math.Max(0, parse.GetValue(localSlotsOption)))
            : null;
        return await Commands.ServeAsync(parse.GetValue(serveFile), results, parse.GetValue(urlsOption)!, cancellation, coordinator: coordinator);
    }
    catch (Exception e)
    {
        Log.Fatal(e, "The service stopped unexpectedly");
        return ExitCodes.SweepFailed;
    }
    finally
    {
        await Log.CloseAndFlushAsync();
    }
});

var joinOption = new Option<string>("--join") { Description = "the coordinator's HOST:PORT (its --cluster-port)", Required = true };
var slotsOption = new Option<int>("--slots") { Description = "trial-folds this worker trains at once", DefaultValueFactory = _ => 1 };
var threadsOption = new Option<int?>("--threads-per-slot") { Description = "torch threads per trial-fold (default: the sweep's threads-per-trial)" };
var workerPortOption = new Option<int>("--cluster-port") { Description = "this worker's remoting port (0: any free one)", DefaultValueFactory = _ => 0 };
var fetchDataOption = new Option<bool>("--fetch-data")
{
    Description = "always fetch a spec's own IDX files from the coordinator (kept in the cache folder by hash), never read its paths here",
};
var worker = new Command("worker", "Join a coordinator (serve --cluster-port) and train the trial-folds it hands out")
{
    joinOption, slotsOption, threadsOption, clusterHostOption, workerPortOption, fetchDataOption,
};
worker.SetAction(async (parse, cancellation) =>
{
    TorchRuntime.StartLoading();
    Logging.Configure(null);
    try
    {
        return await WorkerCommand.RunAsync(new WorkerCommand.Options(parse.GetValue(joinOption)!, parse.GetValue(slotsOption), parse.GetValue(threadsOption),
            parse.GetValue(clusterHostOption)!, parse.GetValue(workerPortOption), null, parse.GetValue(fetchDataOption)), cancellation);
    }
    catch (Exception e)
    {
        Log.Fatal(e, "The worker stopped unexpectedly");
        return ExitCodes.SweepFailed;
    }
    finally
    {
        await Log.CloseAndFlushAsync();
    }
});

var root = new RootCommand("Experiments: hyperparameter sweeps of TorchSharp models on Akka.NET") { run, validate, serve, worker };
root.Subcommands.Add(VerifyCommand.Create());
foreach (var command in ClientCommands.Create()) root.Subcommands.Add(command);
// The generic host handles SIGTERM and Ctrl-C (graceful shutdown); System.CommandLine must not
// race it with its own forced termination.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
