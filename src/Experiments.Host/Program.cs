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
    Logging.Configure(results);
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

var root = new RootCommand("Experiments: hyperparameter sweeps of TorchSharp models on Akka.NET") { run, validate };
return await root.Parse(args).InvokeAsync();
