using Experiments.Core.Spec;

namespace Experiments.Actors.Tests.Support;

/// <summary>Small CNN sweeps over the first 600 real digits, written as a user would write them.</summary>
public static class TinySweeps
{
    public static SweepSpec Cnn(
        string name, string learningRates = "[0.001, 0.003]", int folds = 2, int maxEpochs = 2, int maxConcurrentTrials = 2,
        string earlyStopping = "", int retries = 1)
    {
        var text = $$"""
            experiments.sweeps = [{
              name = {{name}}
              model = cnn
              dataset = { name = mnist-default, limit = 600 }
              search { method = grid, space { learning-rate = {{learningRates}} } }
              cross-validation { folds = {{folds}}, stratified = on, seed = 3, test-fraction = 0.2 }
              training { max-epochs = {{maxEpochs}}, steps-per-epoch = 3, batch-size = 32, hidden = 16 }
              {{earlyStopping}}
              resources { max-concurrent-trials = {{maxConcurrentTrials}}, threads-per-trial = 1 }
              retries = {{retries}}
            }]
            """;
        var result = SpecLoader.LoadText(text, "test.hocon", Directory.GetCurrentDirectory(), Experiments.Training.Models.Context());
        Assert.True(result.IsValid, SpecReport.Render(result));
        return Assert.Single(result.Sweeps);
    }
}
