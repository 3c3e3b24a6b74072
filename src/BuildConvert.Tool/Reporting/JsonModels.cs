using System.Globalization;
using System.Text.Json.Nodes;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Pipeline;

namespace BuildConvert.Tool.Reporting;

/// <summary>The JSON shapes of engine results, shared by the commands.</summary>
internal static class JsonModels
{
    /// <summary>A model summary: interface, opsets, op histogram and parameter sizes.</summary>
    public static JsonObject Summary(ModelSummary summary) => new()
    {
        ["irVersion"] = summary.IrVersion,
        ["producerName"] = summary.ProducerName,
        ["producerVersion"] = summary.ProducerVersion,
        ["opsets"] = new JsonArray(summary.Opsets.Select(o => (JsonNode?)new JsonObject { ["domain"] = o.Domain, ["version"] = o.Version }).ToArray()),
        ["inputs"] = Values(summary.Inputs),
        ["outputs"] = Values(summary.Outputs),
        ["nodeCount"] = summary.NodeCount,
        ["functionCount"] = summary.FunctionCount,
        ["opHistogram"] = new JsonObject(summary.OpHistogram.Select(o => KeyValuePair.Create(o.Op, (JsonNode?)o.Count))),
        ["initializerCount"] = summary.InitializerCount,
        ["parameterCount"] = summary.ParameterCount,
        ["parameterBytes"] = summary.ParameterBytes,
        ["externalDataBytes"] = summary.ExternalDataBytes,
        ["signatures"] = new JsonArray(summary.Signatures.Select(s => (JsonNode?)new JsonObject
        {
            ["key"] = s.Key, ["methodName"] = s.MethodName, ["inputs"] = Values(s.Inputs), ["outputs"] = Values(s.Outputs),
        }).ToArray()),
        ["details"] = new JsonObject(summary.Details.Select(d => KeyValuePair.Create(d.Key, (JsonNode?)d.Value))),
    };

    /// <summary>A validation report: per data set, per output comparison.</summary>
    public static JsonObject Validation(ValidationReport report) => new()
    {
        ["passed"] = report.Passed,
        ["worstAbsError"] = Number(report.WorstAbsError),
        ["dataSets"] = new JsonArray(report.DataSets.Select(d => (JsonNode?)new JsonObject
        {
            ["name"] = d.DataSetName,
            ["passed"] = d.Passed,
            ["outputs"] = new JsonArray(d.Outputs.Select(o => (JsonNode?)Output(o)).ToArray()),
        }).ToArray()),
    };

    /// <summary>Stage timings in milliseconds.</summary>
    public static JsonObject Timings(IEnumerable<StageTiming> timings) =>
        new(timings.Select(t => KeyValuePair.Create(t.Stage, (JsonNode?)Math.Round(t.Elapsed.TotalMilliseconds, 3))));

    /// <summary>A double as a JSON number, or as the strings <c>NaN</c>/<c>Infinity</c>/<c>-Infinity</c> JSON cannot hold.</summary>
    public static JsonNode Number(double value) =>
        double.IsFinite(value) ? JsonValue.Create(value) : JsonValue.Create(value.ToString(CultureInfo.InvariantCulture))!;

    private static JsonObject Output(OutputComparison o) => new()
    {
        ["name"] = o.OutputName,
        ["passed"] = o.Passed,
        ["problem"] = o.Problem,
        ["elementCount"] = o.ElementCount,
        ["mismatchCount"] = o.MismatchCount,
        ["mismatchPercent"] = Number(o.MismatchPercent),
        ["maxAbsError"] = Number(o.MaxAbsError),
        ["maxRelError"] = Number(o.MaxRelError),
        ["worstIndex"] = o.WorstIndex is null ? null : new JsonArray(o.WorstIndex.Select(i => (JsonNode?)i).ToArray()),
        ["worstActual"] = o.WorstActual,
        ["worstExpected"] = o.WorstExpected,
        ["requiredAtol"] = Number(o.RequiredAtol),
        ["requiredRtol"] = Number(o.RequiredRtol),
        ["rtol"] = Number(o.Tolerance.Rtol),
        ["atol"] = Number(o.Tolerance.Atol),
        ["goldenFile"] = o.GoldenFile,
    };

    private static JsonArray Values(IEnumerable<ValueSummary> values) =>
        new(values.Select(v => (JsonNode?)new JsonObject
        {
            ["name"] = v.Name,
            ["type"] = v.Type,
            ["shape"] = v.Shape is null ? null : new JsonArray(v.Shape.Select(d => (JsonNode?)d).ToArray()),
        }).ToArray());
}
