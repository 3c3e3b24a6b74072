using BuildConvert.Core.Diagnostics;
using BuildConvert.Core.Formats.Npy;
using BuildConvert.Core.Formats.Onnx.Proto;
using BuildConvert.Core.Golden;
using BuildConvert.Core.Values;

namespace BuildConvert.Core.Tests.Formats;

/// <summary>
/// Seeded mutations (truncation, bit flips, byte overwrites, size-field corruption, insertions) of the npy, npz and pb
/// fixtures: every read either succeeds with a consistent value or fails with a BCONV11xx code; nothing else escapes.
/// </summary>
[TestClass]
public sealed class GoldenMutationTests
{
    private const int Cases = 2400;

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public void MutatedGoldenFilesFailWithCodesOnly()
    {
        var sources = Directory.GetFiles(GoldenTestPaths.NpyFixtures, "*.np?")
            .Concat(Directory.GetFiles(GoldenTestPaths.OnnxFixtures, "*.pb"))
            .Where(f => new FileInfo(f).Length > 0)
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => (Path: f, Bytes: File.ReadAllBytes(f)))
            .ToArray();
        Assert.IsGreaterThan(250, sources.Length);
        var types = new TypeProto?[]
        {
            null,
            new() { SequenceType = new TypeProto.Types.Sequence() },
            new() { OptionalType = new TypeProto.Types.Optional() },
            new() { MapType = new TypeProto.Types.Map() },
        };

        var random = new Random(20251123);
        var failures = new List<string>();
        int rejected = 0, accepted = 0;
        for (var i = 0; i < Cases; i++)
        {
            var (path, original) = sources[random.Next(sources.Length)];
            var (mutation, bytes) = Mutate(original, path, random);
            var label = $"case {i}: {Path.GetFileName(path)} {mutation}";
            try
            {
                switch (Path.GetExtension(path))
                {
                    case ".npy":
                        Consistent(NpyReader.Read(bytes, "x", label));
                        break;
                    case ".npz":
                        foreach (var t in NpzReader.Read(new MemoryStream(bytes), label))
                        {
                            Consistent(t);
                        }

                        break;
                    default:
                        Consistent(OnnxTestLayout.ParseValue(bytes, types[random.Next(types.Length)], "x", label));
                        break;
                }

                accepted++;
            }
            catch (BuildConvertException ex) when (ex.Code.StartsWith("BCONV11", StringComparison.Ordinal))
            {
                rejected++;
            }
            catch (Exception ex)
            {
                failures.Add($"{label}: {ex.GetType().Name}: {ex.Message}");
            }
        }

        Assert.IsEmpty(failures, string.Join("\n", failures.Take(20)));
        Assert.IsGreaterThan(Cases / 3, rejected, $"only {rejected} of {Cases} mutations were rejected");
        Assert.AreEqual(Cases, rejected + accepted);
    }

    private static (string Mutation, byte[] Bytes) Mutate(byte[] original, string path, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(7))
        {
            case 0:
            {
                var length = random.Next(bytes.Length);
                return ($"truncate to {length}", bytes[..length]);
            }

            case 1:
            {
                var flips = 1 + random.Next(8);
                for (var k = 0; k < flips; k++)
                {
                    var bit = random.Next(bytes.Length * 8);
                    bytes[bit / 8] ^= (byte)(1 << (bit % 8));
                }

                return ($"flip {flips} bits", bytes);
            }

            case 2:
            {
                var at = random.Next(bytes.Length);
                bytes[at] = (byte)random.Next(256);
                return ($"set byte {at}", bytes);
            }

            case 3:
            {
                // Size fields: npy header length (bytes 8-11), zip size fields, protobuf length varints near the start.
                var at = Path.GetExtension(path) switch
                {
                    ".npy" => 8 + random.Next(Math.Min(4, bytes.Length - 8)),
                    ".npz" => random.Next(bytes.Length),
                    _ => random.Next(Math.Min(bytes.Length, 16)),
                };
                var value = random.Next(4) switch { 0 => 0xFF, 1 => 0x00, 2 => 0x7F, _ => bytes[at] + 1 };
                bytes[at] = (byte)value;
                return ($"size byte {at} = {value}", bytes);
            }

            case 4:
            {
                var at = random.Next(bytes.Length + 1);
                var extra = new byte[1 + random.Next(16)];
                random.NextBytes(extra);
                return ($"insert {extra.Length} at {at}", [.. bytes[..at], .. extra, .. bytes[at..]]);
            }

            case 5:
            {
                var extra = new byte[1 + random.Next(64)];
                random.NextBytes(extra);
                return ($"append {extra.Length}", [.. bytes, .. extra]);
            }

            default:
            {
                var at = random.Next(bytes.Length);
                var length = Math.Min(bytes.Length - at, 1 + random.Next(32));
                random.NextBytes(bytes.AsSpan(at, length));
                return ($"scramble {length} at {at}", bytes);
            }
        }
    }

    private static void Consistent(DataValue value)
    {
        switch (value)
        {
            case TensorValue t:
                if (t.IsString)
                {
                    Assert.AreEqual(t.ElementCount, t.Strings!.Length);
                }
                else
                {
                    Assert.AreEqual(ElementTypes.ByteCount(t.ElementType, t.ElementCount), t.Data.Length);
                }

                break;
            case SequenceValue s:
                foreach (var item in s.Items)
                {
                    Consistent(item);
                }

                break;
            case OptionalValue { Value: not null } o:
                Consistent(o.Value);
                break;
            case MapValue m:
                Consistent(m.Keys);
                Consistent(m.Values);
                break;
        }
    }
}
