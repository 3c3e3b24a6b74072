using BuildConvert.Core.Checking;
using BuildConvert.Core.Formats.Onnx.Proto;

namespace BuildConvert.Core.Tests.Checking;

/// <summary>
/// Every model of the ONNX backend corpus (all five folders) is valid by onnx.checker, so every node in it must resolve a
/// schema at the opset its model (or function) imports, and fit that schema's input/output counts and attributes.
/// Nodes in custom domains and calls of model-local functions have no published schema and are skipped (and counted).
/// </summary>
[TestClass]
public sealed class OperatorSchemaCorpusTests
{
    private static readonly string[] Folders = { "node", "simple", "pytorch-converted", "pytorch-operator", "light" };

    [TestMethod]
    public void EveryCorpusNodeResolvesAndFitsItsSchema()
    {
        var registry = OperatorSchemaRegistry.Default;
        var context = new Context(registry);
        var models = 0;
        var nodes = 0;
        foreach (var folder in Folders)
        {
            var root = Path.Combine(SchemaTestFiles.OnnxBackendCorpus, folder);
            Assert.IsTrue(Directory.Exists(root), $"corpus folder missing: {root}");
            var files = Directory.GetFiles(root, "*.onnx", SearchOption.AllDirectories);
            Assert.IsNotEmpty(files, root);
            Array.Sort(files, StringComparer.Ordinal);
            foreach (var file in files)
            {
                models++;
                var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(file));
                var where = Path.GetRelativePath(SchemaTestFiles.OnnxBackendCorpus, file);
                var modelOpsets = Opsets(model.OpsetImport);
                var localFunctions = model.Functions.Select(f => (OperatorSchemaRegistry.NormalizeDomain(f.Domain), f.Name)).ToHashSet();
                context.Model = where;
                context.LocalFunctions = localFunctions;
                nodes += context.CheckGraph(model.Graph, modelOpsets);
                foreach (var function in model.Functions)
                {
                    var opsets = function.OpsetImport.Count > 0 ? Opsets(function.OpsetImport) : modelOpsets;
                    nodes += context.CheckNodes(function.Node, opsets, $"function {function.Domain}.{function.Name}");
                }
            }
        }

        var problems = context.Problems;
        Console.WriteLine($"{models} models, {nodes} nodes, {context.Resolved.Count} distinct operator versions resolved, " +
            $"{context.AttributesChecked} attributes checked; skipped: " +
            string.Join(", ", context.Skipped.Select(s => $"{s.Key} x{s.Value}")));
        Assert.IsGreaterThan(1900, models);
        Assert.IsGreaterThan(300, context.Resolved.Count);
        Assert.HasCount(0, problems, $"{problems.Count} node(s) do not fit the schema table:\n" + string.Join("\n", problems.Take(200)));
    }

    private static Dictionary<string, int> Opsets(IEnumerable<OperatorSetIdProto> imports)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var import in imports)
        {
            result[OperatorSchemaRegistry.NormalizeDomain(import.Domain)] = checked((int)import.Version);
        }

        return result;
    }

    private sealed class Context(OperatorSchemaRegistry registry)
    {
        public string Model { get; set; } = "";

        public HashSet<(string, string)> LocalFunctions { get; set; } = new();

        public List<string> Problems { get; } = new();

        public SortedDictionary<string, int> Skipped { get; } = new(StringComparer.Ordinal);

        public HashSet<OperatorSchema> Resolved { get; } = new();

        public int AttributesChecked { get; private set; }

        public int CheckGraph(GraphProto graph, Dictionary<string, int> opsets) => CheckNodes(graph.Node, opsets, "graph " + graph.Name);

        public int CheckNodes(IEnumerable<NodeProto> nodes, Dictionary<string, int> opsets, string scope)
        {
            var count = 0;
            foreach (var node in nodes)
            {
                count++;
                var domain = OperatorSchemaRegistry.NormalizeDomain(node.Domain);
                var label = $"{Model} {scope}: node '{node.Name}' ({(domain.Length == 0 ? "" : domain + ".")}{node.OpType})";
                if (LocalFunctions.Contains((domain, node.OpType)))
                {
                    Skip("model-local function");
                }
                else if (!registry.IsKnownDomain(domain))
                {
                    Skip($"custom domain '{domain}'");
                }
                else if (!opsets.TryGetValue(domain, out var opset))
                {
                    Problems.Add($"{label}: domain not imported");
                }
                else if (registry.Find(domain, node.OpType, opset) is not { } schema)
                {
                    Problems.Add($"{label}: no schema at opset {opset} (known versions: " +
                        string.Join(",", registry.GetVersions(domain, node.OpType).Select(s => s.SinceVersion)) + ")");
                }
                else
                {
                    CheckNode(node, schema, opset, label);
                }

                foreach (var attribute in node.Attribute)
                {
                    if (attribute.G is not null)
                    {
                        count += CheckGraph(attribute.G, opsets);
                    }

                    foreach (var g in attribute.Graphs)
                    {
                        count += CheckGraph(g, opsets);
                    }
                }
            }

            return count;
        }

        private void CheckNode(NodeProto node, OperatorSchema schema, int opset, string label)
        {
            Resolved.Add(schema);
            var at = $"{label} at opset {opset} -> {schema.Name}-{schema.SinceVersion}";
            if (schema.Deprecated)
            {
                Problems.Add($"{at}: resolves to a deprecated version");
                return;
            }

            if (node.Input.Count < schema.MinInputs || node.Input.Count > schema.MaxInputs)
            {
                Problems.Add($"{at}: {node.Input.Count} inputs, schema allows {schema.MinInputs}..{schema.MaxInputs}");
            }

            if (node.Output.Count < schema.MinOutputs || node.Output.Count > schema.MaxOutputs)
            {
                Problems.Add($"{at}: {node.Output.Count} outputs, schema allows {schema.MinOutputs}..{schema.MaxOutputs}");
            }

            foreach (var attribute in node.Attribute)
            {
                AttributesChecked++;
                var declared = schema.FindAttribute(attribute.Name);
                if (declared is null)
                {
                    Problems.Add($"{at}: attribute '{attribute.Name}' is not declared");
                }
                else if (attribute.Type != AttributeProto.Types.AttributeType.Undefined && attribute.Type != declared.Type)
                {
                    Problems.Add($"{at}: attribute '{attribute.Name}' is {attribute.Type}, schema says {declared.Type}");
                }
            }

            foreach (var required in schema.Attributes.Where(a => a.Required))
            {
                if (!node.Attribute.Any(a => a.Name == required.Name))
                {
                    Problems.Add($"{at}: required attribute '{required.Name}' missing");
                }
            }
        }

        private void Skip(string reason) => Skipped[reason] = Skipped.GetValueOrDefault(reason) + 1;
    }
}
