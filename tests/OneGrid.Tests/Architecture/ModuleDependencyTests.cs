using System.Reflection;
using NetArchTest.Rules;

namespace OneGrid.Tests.Architecture;

/// <summary>
/// The rule of the modular monolith (README, Layout): the module folders under src/OneGrid depend on each other
/// without a cycle, the kernels stay small, and nothing a module does needs the UI or the command line. The graph is
/// computed from the compiled host by NetArchTest (a type of OneGrid.A that references a type of OneGrid.B is an
/// edge A → B), so a new folder — Disputes, say — is a node the day it has a type, without touching this test.
/// </summary>
public sealed class ModuleDependencyTests
{
    /// <summary>
    /// Namespaces that are layers, not modules, so they are no node of the cycle rule. Each one touches every module
    /// by its nature: Hosting composes the host (each module's Add…/Map… and its start-up work), Persistence is the
    /// one DbContext every module brings its mappings to and its migrations, Web is the UI over every module, Cli
    /// starts the host and drives import, generation and benchmarks. Modules use Hosting and Persistence (their
    /// registration hooks and the DbContext), so as nodes those two would put every module on a cycle; modules never
    /// use Web or Cli (rule d), which sit on top of everything. Every other namespace is a module and a node —
    /// Kernel and Workflows too, which are kernels with stricter rules of their own.
    /// </summary>
    internal static readonly string[] Layers = ["Hosting", "Persistence", "Web", "Cli"];

    /// <summary>The shared kernel: problem details, paging, text, reference data — it builds on no module.</summary>
    private const string Kernel = "Kernel";

    /// <summary>
    /// The workflow kernel every workflow (cases, disputes, …) runs on. It needs who acts (Access), the working
    /// calendar for its phase clock (Calendar), the deadline worker's host hooks and the DbContext, and nothing else:
    /// a workflow module depends on Workflows, never the reverse.
    /// </summary>
    private const string Workflows = "Workflows";
    private static readonly string[] WorkflowsMayUse = [Kernel, "Access", "Calendar", "Hosting", "Persistence"];

    private static readonly Lazy<NamespaceGraph> Host =
        new(() => NamespaceGraph.Of(typeof(global::OneGrid.Kernel.ProblemException).Assembly));

    private static IEnumerable<string> Modules(NamespaceGraph graph) => graph.Namespaces.Except(Layers);

    [Fact]
    public void The_graph_sees_the_hosts_namespaces_and_their_dependencies()
    {
        var graph = Host.Value;
        // A layer renamed or gone would silently turn this test's exemptions into nothing, and an empty graph
        // would pass every rule below.
        Assert.All(Layers, layer => Assert.Contains(layer, graph.Namespaces));
        Assert.Contains(Kernel, graph.Namespaces);
        Assert.Contains(Workflows, graph.Namespaces);
        Assert.Contains("Territory", graph.DependenciesOf("Cases"));
        Assert.Contains(Kernel, graph.DependenciesOf(Workflows));
    }

    [Fact]
    public void Modules_depend_on_each_other_without_a_cycle()
    {
        var graph = Host.Value;
        var cycles = graph.Cycles(Modules(graph));
        Assert.True(cycles.Count == 0,
            "Module dependency cycles (each edge with the types that make it):\n"
            + string.Join("\n", cycles.Select(cycle => graph.Describe(cycle))));
    }

    [Fact]
    public void Kernel_depends_on_no_module()
    {
        var graph = Host.Value;
        var edges = graph.DependenciesOf(Kernel).Intersect(Modules(graph)).ToList();
        Assert.True(edges.Count == 0,
            "OneGrid.Kernel depends on modules:\n" + string.Join("\n", edges.Select(to => graph.Describe([Kernel, to]))));
    }

    [Fact]
    public void Workflows_depend_only_on_the_kernel_access_calendar_hosting_and_persistence()
    {
        var graph = Host.Value;
        var edges = graph.DependenciesOf(Workflows).Except(WorkflowsMayUse).ToList();
        Assert.True(edges.Count == 0,
            "OneGrid.Workflows depends on more than " + string.Join(", ", WorkflowsMayUse) + ":\n"
            + string.Join("\n", edges.Select(to => graph.Describe([Workflows, to]))));
    }

    [Fact]
    public void No_module_depends_on_the_web_ui_or_the_command_line()
    {
        var graph = Host.Value;
        var edges = Modules(graph)
            .SelectMany(from => graph.DependenciesOf(from).Intersect(["Web", "Cli"]).Select(to => new[] { from, to }))
            .ToList();
        Assert.True(edges.Count == 0,
            "Modules depending on Web or Cli:\n" + string.Join("\n", edges.Select(graph.Describe)));
    }

    [Fact]
    public void A_cycle_is_reported_as_its_path_with_the_types_that_make_each_edge()
    {
        // The host has no cycle (the test above), so the reporting is shown on a made-up graph.
        var graph = new NamespaceGraph(["A", "B", "C", "D"], new()
        {
            [("A", "B")] = ["OneGrid.A.Report"], [("B", "C")] = ["OneGrid.B.Router"],
            [("C", "A")] = ["OneGrid.C.Calendar", "OneGrid.C.Days"], [("C", "D")] = ["OneGrid.C.Export"],
        });
        var cycle = Assert.Single(graph.Cycles(["A", "B", "C", "D"]));
        Assert.Equal(["A", "B", "C", "A"], cycle);
        Assert.Equal(
            "A → B → C → A\n  A → B: OneGrid.A.Report\n  B → C: OneGrid.B.Router\n  C → A: OneGrid.C.Calendar, OneGrid.C.Days",
            graph.Describe(cycle));
        Assert.Empty(graph.Cycles(["A", "B", "D"]));
    }
}

/// <summary>
/// Dependencies between the top-level namespaces under OneGrid (OneGrid.Territory.Import counts as Territory).
/// Each edge keeps the names of the types that make it, for the failure messages.
/// </summary>
internal sealed class NamespaceGraph(IReadOnlyList<string> namespaces, Dictionary<(string From, string To), List<string>> edges)
{
    private const string Root = "OneGrid.";

    public IReadOnlyList<string> Namespaces { get; } = namespaces;

    public static NamespaceGraph Of(Assembly assembly)
    {
        var namespaces = assembly.GetTypes()
            .Select(type => TopLevel(type.FullName))
            .OfType<string>().Distinct().Order(StringComparer.Ordinal).ToList();
        var edges = new Dictionary<(string, string), List<string>>();
        foreach (var to in namespaces)
        {
            // Every type referencing OneGrid.<to> fails this rule; FailingTypeNames are names only, so no type needs
            // loading by reflection (compiler-generated ones do not always load). NetArchTest matches whole namespace
            // segments: OneGrid.Web does not match OneGrid.Webhooks.
            var result = Types.InAssembly(assembly).ShouldNot().HaveDependencyOn(Root + to).GetResult();
            foreach (var name in result.FailingTypeNames ?? [])
            {
                if (TopLevel(name) is not { } from || from == to)
                    continue;
                if (!edges.TryGetValue((from, to), out var types))
                    edges[(from, to)] = types = [];
                types.Add(name);
            }
        }
        return new NamespaceGraph(namespaces, edges);
    }

    /// <summary>Territory for OneGrid.Territory.Import.GeoJsonReader; null outside OneGrid (compiler-generated types).</summary>
    private static string? TopLevel(string? typeName)
    {
        if (typeName is null || !typeName.StartsWith(Root, StringComparison.Ordinal))
            return null;
        var rest = typeName[Root.Length..];
        var end = rest.IndexOfAny(['.', '/', '+', '`']);
        // A type right in OneGrid (no namespace of its own) has no top-level namespace to belong to.
        return end < 0 ? null : rest[..end];
    }

    public IEnumerable<string> DependenciesOf(string from) =>
        edges.Keys.Where(edge => edge.From == from).Select(edge => edge.To).Order(StringComparer.Ordinal);

    /// <summary>
    /// One cycle per strongly connected component of the graph restricted to <paramref name="among"/> — the shortest
    /// through the component's first node — as a path that ends where it starts. Breaking it and running again shows
    /// whatever cycle is left in the component.
    /// </summary>
    public List<string[]> Cycles(IEnumerable<string> among)
    {
        var nodes = among.ToHashSet();
        List<string> Next(string node) => DependenciesOf(node).Where(nodes.Contains).ToList();
        var cycles = new List<string[]>();
        var done = new HashSet<string>();
        foreach (var start in Namespaces.Where(nodes.Contains))
        {
            if (done.Contains(start))
                continue;
            var component = Reachable(start, Next).Where(n => Reachable(n, Next).Contains(start)).ToHashSet();
            done.UnionWith(component);
            done.Add(start);
            if (component.Count > 0)
                cycles.Add(ShortestCycle(start, n => Next(n).Where(component.Contains)));
        }
        return cycles;
    }

    /// <summary>Nodes reachable from <paramref name="start"/> by at least one edge (so start itself only on a cycle).</summary>
    private static HashSet<string> Reachable(string start, Func<string, List<string>> next)
    {
        var seen = new HashSet<string>();
        var queue = new Queue<string>(next(start));
        while (queue.TryDequeue(out var node))
            if (seen.Add(node))
                foreach (var to in next(node))
                    queue.Enqueue(to);
        return seen;
    }

    private static string[] ShortestCycle(string start, Func<string, IEnumerable<string>> next)
    {
        var cameFrom = new Dictionary<string, string>();
        var queue = new Queue<string>([start]);
        while (queue.TryDequeue(out var node))
            foreach (var to in next(node))
            {
                if (to == start)
                {
                    var path = new List<string> { start };
                    for (var at = node; at != start; at = cameFrom[at])
                        path.Add(at);
                    path.Add(start);
                    path.Reverse();
                    return [.. path];
                }
                if (cameFrom.TryAdd(to, node))
                    queue.Enqueue(to);
            }
        throw new InvalidOperationException($"{start} is on no cycle.");
    }

    /// <summary>"A → B → A" and under it, for each edge, the types of the first namespace that reference the next.</summary>
    public string Describe(IReadOnlyList<string> path) =>
        string.Join(" → ", path) + string.Concat(path.Zip(path.Skip(1),
            (from, to) => $"\n  {from} → {to}: {string.Join(", ", edges[(from, to)].Order(StringComparer.Ordinal))}"));
}
