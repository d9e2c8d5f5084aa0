using System.CommandLine;
using Experiments.Host;
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
var serve = new Command("serve", "Run as a service: resume unfinished sweeps, take new ones from RESULTS/inbox and the HTTP API")
{
    serveFile, resultsOption, urlsOption,
};
serve.SetAction(async (parse, cancellation) =>
{
    var results = parse.GetValue(resultsOption)!;
    if (Logging.TryConfigure(results) is { } loggingError)
    {
        Console.Error.WriteLine(loggingError);
        return ExitCodes.InvalidInput;
    }
    try
    {
        return await Commands.ServeAsync(parse.GetValue(serveFile), results, parse.GetValue(urlsOption)!, cancellation);
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

var root = new RootCommand("Experiments: hyperparameter sweeps of TorchSharp models on Akka.NET") { run, validate, serve };
root.Subcommands.Add(VerifyCommand.Create());
foreach (var command in ClientCommands.Create()) root.Subcommands.Add(command);
// The generic host handles SIGTERM and Ctrl-C (graceful shutdown); System.CommandLine must not
// race it with its own forced termination.
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
