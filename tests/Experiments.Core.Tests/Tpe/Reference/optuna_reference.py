# Prints the reference numbers pasted into the TPE tests (ParzenEstimatorSpecs, TruncatedNormalSpecs,
# TpeRulesSpecs). The tests do not run this; it records how their expected values were computed.
#
# Optuna v4.9.0 (the tag's optuna/ folder, e.g. `git archive v4.9.0 optuna | tar -x -C /tmp/optuna49`)
# on Debian 12's Python and numpy 1.24 (`apt-get install python3-optuna` brings its dependencies):
#   PYTHONPATH=/tmp/optuna49 /usr/bin/python3 optuna_reference.py
import math
import numpy as np
import optuna
np.set_printoptions(precision=17)
from optuna.distributions import FloatDistribution, IntDistribution, CategoricalDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe.sampler import default_weights, default_gamma
from optuna.samplers._tpe import _truncnorm

def params(multivariate=False, endpoints=False):
    return _ParzenEstimatorParameters(prior_weight=1.0, consider_magic_clip=True, consider_endpoints=endpoints,
        weights=default_weights, multivariate=multivariate, categorical_distance_func={})

def r(x): return [float(repr_) for repr_ in np.asarray(x, dtype=float).ravel()]
def show(name, pe, points):
    m = pe._mixture_distribution
    print(f"== {name}")
    print("weights", repr(r(m.weights)))
    for d in m.distributions:
        if hasattr(d, 'mu'):
            print("mus", repr(r(d.mu))); print("sigmas", repr(r(d.sigma)))
        else:
            print("catweights", repr([r(row) for row in d.weights]))
    print("logpdf", repr(r(pe.log_pdf(points))))

show("uniform", _ParzenEstimator({"x": np.array([2.0, 5.0, 3.0, 9.0])}, {"x": FloatDistribution(0, 10)}, params()),
     {"x": np.array([0.5, 3.3, 7.7, 10.0])})
show("uniform-endpoints", _ParzenEstimator({"x": np.array([2.0, 5.0, 3.0, 9.0])}, {"x": FloatDistribution(0, 10)}, params(endpoints=True)),
     {"x": np.array([0.5, 3.3, 7.7, 10.0])})
show("uniform-empty", _ParzenEstimator({"x": np.array([])}, {"x": FloatDistribution(0, 10)}, params()), {"x": np.array([1.0, 5.0])})
show("uniform-one", _ParzenEstimator({"x": np.array([8.0])}, {"x": FloatDistribution(0, 10)}, params()), {"x": np.array([1.0, 8.0])})
show("log", _ParzenEstimator({"x": np.array([1e-3, 3e-3, 5e-2])}, {"x": FloatDistribution(1e-4, 1e-1, log=True)}, params()),
     {"x": np.array([1e-4, 2e-3, 0.07])})
show("int-step", _ParzenEstimator({"x": np.array([64, 64, 128, 256])}, {"x": IntDistribution(32, 256, step=32)}, params()),
     {"x": np.array([32, 64, 160, 256])})
show("categorical", _ParzenEstimator({"x": np.array([0, 0, 2])}, {"x": CategoricalDistribution(["adam", "sgd", "rmsprop"])}, params()),
     {"x": np.array([0, 1, 2])})
obs30 = np.array([((i * 37) % 101) / 10.0 for i in range(30)])
show("uniform-30", _ParzenEstimator({"x": obs30}, {"x": FloatDistribution(0, 10.1)}, params()), {"x": np.array([0.05, 5.0, 9.95])})
mv_space = {"lr": FloatDistribution(1e-4, 1e-1, log=True), "hidden": IntDistribution(32, 256, step=32), "opt": CategoricalDistribution(["adam", "sgd"])}
mv_obs = {"lr": np.array([1e-3, 2e-2, 5e-4]), "hidden": np.array([64, 256, 128]), "opt": np.array([0, 1, 0])}
show("multivariate", _ParzenEstimator(mv_obs, mv_space, params(multivariate=True)),
     {"lr": np.array([1e-3, 1e-2]), "hidden": np.array([64, 160]), "opt": np.array([0, 1])})
print("== weights")
for n in [0, 3, 25, 26, 30]: print(n, repr(r(default_weights(n))))
print("== gamma", [default_gamma(n) for n in range(0, 301)])
print("== truncnorm")
for (q, a, b) in [(0.3, -1.0, 2.0), (0.999, 0.5, 3.0), (1e-6, -30.0, -25.0), (0.5, -0.2, 0.1), (0.02, 2.5, 40.0)]:
    print("ppf", q, a, b, repr(float(_truncnorm.ppf(np.array([q]), np.array([a]), np.array([b]))[0])))
for (a, b) in [(-1.0, 2.0), (0.5, 3.0), (-30.0, -25.0), (-0.2, 0.1), (7.0, 9.0), (-40.0, 40.0)]:
    print("mass", a, b, repr(float(_truncnorm._log_gauss_mass(np.array([a]), np.array([b]))[0])))
for x in [-38.0, -21.0, -5.0, 0.3, 7.5]:
    print("logndtr", x, repr(float(_truncnorm._log_ndtr(np.array([x]))[0])))

# ---- _split_trials on hand-made trials
from optuna.trial import create_trial, TrialState
from optuna.samplers._tpe.sampler import _split_trials
optuna.logging.set_verbosity(optuna.logging.ERROR)
d = {"x": FloatDistribution(0, 1)}
spec = [("c", 0.5, None), ("p", None, {1: 0.3, 2: 0.4}), ("c", 0.2, None), ("r", None, None),
        ("p", None, {1: 0.1}), ("c", 0.2, None), ("p", None, {2: 0.35}), ("p", None, {})]
for direction in ["minimize", "maximize"]:
    study = optuna.create_study(direction=direction)
    for i, (kind, value, inter) in enumerate(spec):
        state = {"c": TrialState.COMPLETE, "p": TrialState.PRUNED, "r": TrialState.RUNNING}[kind]
        study.add_trial(create_trial(state=state, value=value, params={"x": i / 10}, distributions=d, intermediate_values=inter or {}))
    trials = study.get_trials(deepcopy=False)
    for n_below in [0, 2, 4, 5, 7]:
        below, above = _split_trials(study, trials, n_below, False)
        print(direction, n_below, [t.number for t in below], [t.number for t in above])

# ---- acquisition of fixed candidates; math.erf / math.erfc
from optuna.samplers._tpe.sampler import default_weights, TPESampler
p = _ParzenEstimatorParameters(1.0, True, False, default_weights, False, {})
space = {"lr": FloatDistribution(1e-4, 1e-1, log=True)}
below = _ParzenEstimator({"lr": np.array([1e-3, 2e-3])}, space, p)
above = _ParzenEstimator({"lr": np.array([1e-2, 5e-2, 1e-4, 3e-2])}, space, p)
cand = {"lr": np.array([1.5e-3, 5e-4, 2e-2, 1e-4])}
s = TPESampler()
acq = s._compute_acquisition_func(cand, below, above)
print([float(v) for v in acq], int(np.argmax(acq)))
space = {"hidden": IntDistribution(32, 256, step=32)}
below = _ParzenEstimator({"hidden": np.array([96, 128])}, space, p)
above = _ParzenEstimator({"hidden": np.array([32, 256, 224, 64, 192])}, space, p)
cand = {"hidden": np.array([96, 128, 160, 32])}
acq = s._compute_acquisition_func(cand, below, above)
print([float(v) for v in acq], int(np.argmax(acq)))
for x in [0.5, 1e-20, 0.9, 1.1, 2.0, 3.5, 5.9, 6.5, -0.3, -2.0]:
    print("erf", x, repr(math.erf(x)), repr(math.erfc(x)))
for x in [10.0, 27.0, -7.0]:
    print("erfc", x, repr(math.erfc(x)))

# ---- the distribution of the 21st suggestion after 20 fixed trials, over 2000 seeds (TpeAgainstOptunaSpecs)
from optuna.trial import create_trial
from optuna.distributions import FloatDistribution, IntDistribution
optuna.logging.set_verbosity(optuna.logging.ERROR)
d = {"x": FloatDistribution(0, 10), "n": IntDistribution(0, 20, step=2)}
trials = []
for i in range(20):
    x = (i * 37 % 100) / 10; n = (i * 7 % 11) * 2
    trials.append(create_trial(value=(x - 3) ** 2 + ((n - 8) / 4) ** 2, params={"x": x, "n": n}, distributions=d))
xs, ns = [], []
for seed in range(2000):
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    study.add_trials(trials)
    t = study.ask(d)
    xs.append(t.params["x"]); ns.append(t.params["n"])
q = [0.1, 0.25, 0.5, 0.75, 0.9]
print("x quantiles", [round(float(v), 4) for v in np.quantile(xs, q)], "mean", round(float(np.mean(xs)), 4))
print("n frequencies", {k: round(ns.count(k) / 2000, 4) for k in sorted(set(ns))})
