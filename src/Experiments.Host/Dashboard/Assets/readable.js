// Numbers for people, the same rule as Experiments.Core's Readable.Number: 4 significant digits,
// plain between 0.001 and a million, scientific outside; whole numbers stay whole.
"use strict";
window.Readable = (function () {
  const significant = 4;
  function number(v) {
    if (v === null || v === undefined) return "—";
    if (Number.isNaN(v)) return "NaN";
    if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
    if (v === Math.floor(v) && Math.abs(v) < 1e6) return v.toFixed(0);
    const magnitude = Math.abs(v);
    if (magnitude < 1e-3 || magnitude >= 1e6) return scientific(v);
    let decimals = Math.max(0, significant - 1 - Math.floor(Math.log10(magnitude)));
    // 9.99996 rounds to 10.000: one digit too many, so one decimal fewer.
    if (Math.abs(round(v, decimals)) >= Math.pow(10, significant - decimals) && decimals > 0) decimals--;
    return fixed(v, decimals);
  }
  // .NET rounds half away from zero; toFixed works on the binary value, so round the decimal text first.
  function round(v, decimals) { return Number(fixed(v, decimals)); }
  function fixed(v, decimals) {
    const sign = v < 0 ? "-" : "";
    const text = Math.abs(v).toFixed(decimals);
    return text.match(/^0\.?0*$/) ? text : sign + text;
  }
  // "0.000e+00": mantissa with 3 decimals, exponent with at least 2 digits and its sign.
  function scientific(v) {
    let [mantissa, exponent] = v.toExponential(3).split("e");
    let e = Number(exponent);
    const sign = e < 0 ? "-" : "+";
    e = Math.abs(e);
    return `${mantissa}e${sign}${e < 10 ? "0" + e : e}`;
  }
  return { number };
})();
