// One test at a time: the program's log (Serilog's Log.Logger) is process-wide, and 2 cores are shared.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Experiments.Host.Tests;

public static class SpecFiles
{
    /// <summary>Two configs × two folds, two short epochs each, on the first 600 real digits.</summary>
    public const string Tiny = """
        experiments.sweeps = [{
          name = e2e
          model = cnn
          dataset = { name = mnist-default, limit = 600 }
          search { method = grid, space { learning-rate = [0.001, 0.003] } }
          cross-validation { folds = 2, stratified = on, seed = 5, test-fraction = 0.2 }
          training { max-epochs = 2, steps-per-epoch = 3, batch-size = 32, hidden = 16 }
          resources { max-concurrent-trials = 2, threads-per-trial = 1 }
          retries = 1
        }]
        """;

    /// <summary>Line 5 misspells a key.</summary>
    public const string Misspelt = """
        experiments.sweeps = [{
          name = s1
          model = cnn
          training { max-epochs = 2 }
          retires = 2
        }]
        """;
}
