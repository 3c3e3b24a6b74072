using System.Diagnostics;
using BuildConvert.Core.Checking;
using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Onnx;
using BuildConvert.Core.Tests.Formats.Onnx;

namespace BuildConvert.Core.Tests.Checking;

/// <summary>
/// Seeded corruptions of corpus models (truncation, bit flips, overwritten length varints) through the reader and the
/// checker (half through files, which are memory-mapped, half through streams): only <see cref="BuildConvertException"/> may escape, every failure carries a known code, no case is slow.
/// </summary>
[TestClass]
public sealed class HostileModelTests
{
    private static readonly string[] Sources =
    [
        "node/test_conv_with_strides_padding/model.onnx",
        "node/test_loop11/model.onnx",
        "node/test_if_seq/model.onnx",
        "node/test_scan9_sum/model.onnx",
        "simple/test_sequence_model1/model.onnx",
        "pytorch-operator/test_operator_conv/model.onnx",
        "pytorch-converted/test_PReLU_1d/model.onnx",
        "light/light_squeezenet.onnx",
    ];

    [TestMethod]
    public void SeededCorruptionsAreCodedAndBounded()
    {
        const int Cases = 1200;
        var known = DiagnosticCodes.All.Select(d => d.Code).ToHashSet();
        var sources = Sources.Select(s => File.ReadAllBytes(OnnxCorpus.Model(s))).ToArray();
        var random = new Random(20261123);
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>();
        using var temp = new TempFolder();
        var total = Stopwatch.StartNew();
        var slowest = TimeSpan.Zero;
        for (var i = 0; i < Cases; i++)
        {
            var source = i % sources.Length;
            var (bytes, kind) = Corrupt(sources[source], random, i % 3);
            var watch = Stopwatch.StartNew();
            string outcome;
            try
            {
                IReadOnlyList<Diagnostic> problems;
                if (i % 2 == 0)
                {
                    File.WriteAllBytes(temp.File("case.onnx"), bytes);
                    problems = OnnxChecker.CheckFile(temp.File("case.onnx"));
                }
                else
                {
                    using var stream = new MemoryStream(bytes, writable: false);
                    problems = OnnxChecker.Check(OnnxModelReader.Read(stream, $"case{i}.onnx"), null);
                }

                var unknown = problems.FirstOrDefault(p => !known.Contains(p.Code));
                if (unknown is not null)
                {
                    failures.Add($"case {i} ({kind} of {Sources[source]}): unknown code {unknown.Code}");
                }

                outcome = problems.Count == 0 ? "valid" : (problems[0].Code.StartsWith("BCONV10", StringComparison.Ordinal) ? "reader:" : "checker:") + problems[0].Code;
            }
            catch (BuildConvertException e)
            {
                outcome = "reader:" + e.Code;
                if (!known.Contains(e.Code))
                {
                    failures.Add($"case {i} ({kind} of {Sources[source]}): unknown code {e.Code}");
                }
            }
            catch (Exception e)
            {
                failures.Add($"case {i} ({kind} of {Sources[source]}): {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                outcome = "crash";
            }

            watch.Stop();
            slowest = watch.Elapsed > slowest ? watch.Elapsed : slowest;
            if (watch.Elapsed > TimeSpan.FromSeconds(2))
            {
                failures.Add($"case {i} ({kind} of {Sources[source]}) took {watch.Elapsed}");
            }

            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }

        var summary = string.Join(", ", outcomes.OrderByDescending(o => o.Value).Select(o => $"{o.Key}={o.Value}"));
        Console.WriteLine($"{Cases} cases in {total.Elapsed.TotalSeconds:F1} s, slowest {slowest.TotalMilliseconds:F0} ms: {summary}");
        Assert.IsEmpty(failures, string.Join("\n", failures.Take(20)));
        Assert.IsLessThan(30.0, total.Elapsed.TotalSeconds);
        Assert.IsGreaterThan(3, outcomes.Count, "the corruptions should reach several different rules: " + summary);
    }

    private static (byte[] Bytes, string Kind) Corrupt(byte[] original, Random random, int kind)
    {
        switch (kind)
        {
            case 0:
            {
                var cut = random.Next(1, original.Length);
                return (original[..cut], $"truncation at {cut}");
            }

            case 1:
            {
                var bytes = (byte[])original.Clone();
                var flips = random.Next(1, 9);
                for (var f = 0; f < flips; f++)
                {
                    var at = random.Next(bytes.Length);
                    bytes[at] ^= (byte)(1 << random.Next(8));
                }

                return (bytes, $"{flips} bit flips");
            }

            default:
            {
                // Overwrite a byte that follows a length-delimited tag (wire type 2) with a large varint.
                var bytes = (byte[])original.Clone();
                var at = random.Next(bytes.Length - 1);
                for (var probe = 0; probe < 64 && (bytes[at] & 7) != 2; probe++)
                {
                    at = random.Next(bytes.Length - 1);
                }

                var size = random.Next(4) switch
                {
                    0 => new byte[] { 0xff, 0xff, 0xff, 0xff, 0x07 },
                    1 => new byte[] { 0xff, 0xff, 0xff, 0xff, 0x0f },
                    2 => new byte[] { 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01 },
                    _ => new byte[] { (byte)random.Next(0x80, 0x100), (byte)random.Next(0, 0x80) },
                };
                var length = Math.Min(size.Length, bytes.Length - at - 1);
                Array.Copy(size, 0, bytes, at + 1, length);
                return (bytes, $"length varint at {at + 1}");
            }
        }
    }
}
