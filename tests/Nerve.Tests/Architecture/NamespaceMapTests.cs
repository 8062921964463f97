using System.Reflection;
using System.Reflection.Emit;
using System.Text.RegularExpressions;

namespace Nerve.Tests.Architecture;

/// <summary>
/// ARCHITECTURE.md's code map declares the namespaces of src/Nerve in data-flow order: each may depend only on those
/// before it. These tests read that order from the document and check the code against it, twice: by the source's
/// `using` directives and fully qualified names, and by what the compiled assembly actually references (signatures and
/// the tokens in every method body), which also catches partially qualified names such as `Training.IWindowSource`.
/// </summary>
public sealed partial class NamespaceMapTests
{
    /// <summary>The namespaces of the code map, in order ("Nerve" for the root), from ARCHITECTURE.md's headings.</summary>
    internal static List<string> DeclaredOrder()
    {
        var lines = File.ReadAllLines(Path.Combine(Fixtures.Root(), "ARCHITECTURE.md"));
        int start = Array.FindIndex(lines, l => l.StartsWith("## Code map", StringComparison.Ordinal));
        Assert.True(start >= 0, "ARCHITECTURE.md has no '## Code map' section");
        var order = new List<string>();
        for (int i = start + 1; i < lines.Length && !lines[i].StartsWith("## ", StringComparison.Ordinal); i++)
            if (Heading().Match(lines[i]) is { Success: true } m) order.Add(m.Groups[1].Value);
        return order;
    }

    /// <summary>The front-end projects ("Nerve.Cli", "Nerve.Server") from the headings of ARCHITECTURE.md's "## Front ends".</summary>
    internal static List<string> FrontEnds()
    {
        var lines = File.ReadAllLines(Path.Combine(Fixtures.Root(), "ARCHITECTURE.md"));
        int start = Array.FindIndex(lines, l => l.StartsWith("## Front ends", StringComparison.Ordinal));
        Assert.True(start >= 0, "ARCHITECTURE.md has no '## Front ends' section");
        var ends = new List<string>();
        for (int i = start + 1; i < lines.Length && !lines[i].StartsWith("## ", StringComparison.Ordinal); i++)
            if (Heading().Match(lines[i]) is { Success: true } m) ends.Add(m.Groups[1].Value);
        return ends;
    }

    [GeneratedRegex(@"^### `(Nerve(?:\.\w+)?)`")]
    private static partial Regex Heading();

    [GeneratedRegex(@"^\s*(?:global\s+)?using\s+(?:static\s+)?(?:\w+\s*=\s*)?(Nerve(?:\.\w+)?)[\.;<]", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    [GeneratedRegex(@"^namespace\s+(Nerve(?:\.\w+)*)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"(?<![\w.])(Nerve\.\w+)\.[A-Z]")]
    private static partial Regex QualifiedName();

    /// <summary>The namespace one level below Nerve that a full name belongs to ("Nerve" for the root), or null outside Nerve.</summary>
    internal static string? TopNamespace(string? ns)
    {
        if (ns == "Nerve") return ns;
        if (ns is null || !ns.StartsWith("Nerve.", StringComparison.Ordinal)) return null;
        int dot = ns.IndexOf('.', "Nerve.".Length);
        return dot < 0 ? ns : ns[..dot];
    }

    [Fact]
    public void The_code_map_lists_each_namespace_once_starting_at_the_root()
    {
        var order = DeclaredOrder();
        Assert.True(order.Count >= 10, $"the code map lists only {order.Count} namespaces");
        Assert.Equal("Nerve", order[0]);
        Assert.Equal(order.Count, order.Distinct(StringComparer.Ordinal).Count());
    }

    [Fact]
    public void Every_source_file_is_in_a_declared_namespace_matching_its_folder()
    {
        var order = DeclaredOrder();
        string src = Path.Combine(Fixtures.Root(), "src", "Nerve");
        var wrong = new List<string>();
        foreach (var file in SourceFiles(src))
        {
            string text = File.ReadAllText(file);
            var m = FileNamespace().Match(text);
            string rel = Path.GetRelativePath(src, file);
            string folder = Path.GetDirectoryName(rel) is { Length: > 0 } d ? "Nerve." + d.Replace(Path.DirectorySeparatorChar, '.') : "Nerve";
            if (!m.Success) wrong.Add($"{rel}: no file-scoped namespace");
            else if (m.Groups[1].Value != folder) wrong.Add($"{rel}: namespace {m.Groups[1].Value}, folder {folder}");
            else if (!order.Contains(m.Groups[1].Value)) wrong.Add($"{rel}: namespace {m.Groups[1].Value} is not in ARCHITECTURE.md's code map");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    [Fact]
    public void Test_folders_mirror_the_namespaces()
    {
        // tests/Nerve.Tests/<X>/ tests Nerve.<X>, a namespace of the library or a front-end project (Cli, Server);
        // besides those, Architecture (this file). Shared helpers stay at the root.
        var allowed = DeclaredOrder().Concat(FrontEnds()).Where(n => n != "Nerve").Select(n => n["Nerve.".Length..]).Append("Architecture").ToHashSet(StringComparer.Ordinal);
        string tests = Path.Combine(Fixtures.Root(), "tests", "Nerve.Tests");
        var wrong = new List<string>();
        foreach (var file in SourceFiles(tests))
        {
            string rel = Path.GetRelativePath(tests, file);
            string folder = Path.GetDirectoryName(rel) ?? "";
            string expected = folder.Length == 0 ? "Nerve.Tests" : "Nerve.Tests." + folder.Replace(Path.DirectorySeparatorChar, '.');
            if (folder.Length > 0 && !allowed.Contains(folder.Split(Path.DirectorySeparatorChar)[0])) wrong.Add($"{rel}: folder {folder} is no namespace of the code map");
            if (FileNamespace().Match(File.ReadAllText(file)) is not { Success: true } m || m.Groups[1].Value != expected)
                wrong.Add($"{rel}: expected namespace {expected}");
        }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
        Assert.Contains(SourceFiles(tests), f => f.EndsWith(Path.Combine("Training", "TrainerTests.cs"), StringComparison.Ordinal));
    }

    [Fact]
    public void The_front_ends_are_projects_above_the_library_and_not_in_its_map()
    {
        // Each front end is its own project, named after its namespace, that the library never references; the server
        // does not reference the command line (the CLI references the server, not the other way round).
        var order = DeclaredOrder();
        var ends = FrontEnds();
        Assert.Equal(["Nerve.Cli", "Nerve.Server"], ends);
        foreach (var end in ends)
        {
            Assert.DoesNotContain(end, order);
            Assert.True(File.Exists(Path.Combine(Fixtures.Root(), "src", end, end + ".csproj")), $"no project src/{end}");
        }
        var library = typeof(NerveException).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.DoesNotContain(library, n => n!.StartsWith("Nerve.", StringComparison.Ordinal) || n.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        var server = typeof(Nerve.Server.NerveServer).Assembly;
        Assert.DoesNotContain(server.GetReferencedAssemblies(), a => a.Name == "Nerve.Cli");
        Assert.All(server.GetTypes().Where(t => t.Namespace is not null && t.Namespace.StartsWith("Nerve", StringComparison.Ordinal)),
            t => Assert.Equal("Nerve.Server", t.Namespace));
    }

    [Fact]
    public void Using_directives_follow_the_declared_order()
    {
        var order = DeclaredOrder();
        string src = Path.Combine(Fixtures.Root(), "src", "Nerve");
        var against = new List<string>();
        foreach (var file in SourceFiles(src))
        {
            string text = StripComments(File.ReadAllText(file));
            if (FileNamespace().Match(text) is not { Success: true } ns) continue; // reported by the test above
            int from = order.IndexOf(ns.Groups[1].Value);
            var used = UsingDirective().Matches(text).Select(m => m.Groups[1].Value)
                .Concat(QualifiedName().Matches(text).Select(m => m.Groups[1].Value));
            foreach (var target in used.Distinct(StringComparer.Ordinal))
            {
                int to = order.IndexOf(target);
                if (to < 0 || to > from)
                    against.Add($"{Path.GetRelativePath(src, file)}: {ns.Groups[1].Value} uses {target}" + (to < 0 ? " (not in the code map)" : ", which comes after it"));
            }
        }
        Assert.True(against.Count == 0, "edges against ARCHITECTURE.md's order:\n" + string.Join("\n", against));
    }

    [Fact]
    public void The_compiled_library_references_only_earlier_namespaces()
    {
        var order = DeclaredOrder();
        var against = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var type in typeof(NerveException).Assembly.GetTypes())
        {
            string? from = TopNamespace(type.Namespace);
            if (from is null) continue; // compiler-generated helpers outside Nerve
            int rank = order.IndexOf(from);
            Assert.True(rank >= 0, $"{type.FullName}: namespace {from} is not in ARCHITECTURE.md's code map");
            foreach (var target in ReferencedTypes(type))
            {
                string? to = TopNamespace(target.Namespace);
                if (to is null || to == from) continue;
                int toRank = order.IndexOf(to);
                if (toRank < 0 || toRank > rank) against.Add($"{from} → {to} ({Outer(type).Name} uses {target.Name})");
            }
        }
        Assert.True(against.Count == 0, "edges against ARCHITECTURE.md's order:\n" + string.Join("\n", against));
    }

    [Fact]
    public void The_checker_sees_a_partially_qualified_reference_in_a_method_body()
    {
        // This test class refers to Nerve.Tests.Architecture.Probe only inside a method body: the IL scan must find it.
        Assert.Contains(typeof(Probe), ReferencedTypes(typeof(ProbeUser)));
        Assert.Equal("Nerve.Model", TopNamespace("Nerve.Model.Heads"));
        Assert.Equal("Nerve", TopNamespace("Nerve"));
        Assert.Null(TopNamespace("NerveX.Model"));
    }

    private static Type Outer(Type t)
    {
        while (t.DeclaringType is not null) t = t.DeclaringType;
        return t;
    }

    private static IEnumerable<string> SourceFiles(string src) =>
        Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                     && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    /// <summary>The source without // and /* */ comments (doc comments' crefs are not dependencies) and string literals.</summary>
    private static string StripComments(string text) => CommentsAndStrings().Replace(text, m => m.Value.StartsWith('/') ? "" : "\"\"");

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|@""(?:""""|[^""])*""|""(?:\\.|[^""\\\n])*""", RegexOptions.Singleline)]
    private static partial Regex CommentsAndStrings();

    /// <summary>Every type a type names: base, interfaces, members' signatures, and the tokens of its method bodies.</summary>
    internal static IEnumerable<Type> ReferencedTypes(Type type)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        var found = new HashSet<Type>();
        void Add(Type? t)
        {
            if (t is null) return;
            if (t.HasElementType) { Add(t.GetElementType()); return; }
            if (t.IsGenericParameter) return;
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                foreach (var a in t.GetGenericArguments()) Add(a);
                t = t.GetGenericTypeDefinition();
            }
            found.Add(t);
        }
        Add(type.BaseType);
        foreach (var i in type.GetInterfaces()) Add(i);
        foreach (var f in type.GetFields(all)) Add(f.FieldType);
        foreach (var p in type.GetProperties(all)) Add(p.PropertyType);
        foreach (var e in type.GetEvents(all)) Add(e.EventHandlerType);
        foreach (var m in type.GetMethods(all).Cast<MethodBase>().Concat(type.GetConstructors(all)))
        {
            if (m is MethodInfo mi) Add(mi.ReturnType);
            foreach (var p in m.GetParameters()) Add(p.ParameterType);
            var body = m.GetMethodBody();
            if (body is null) continue;
            foreach (var local in body.LocalVariables) Add(local.LocalType);
            foreach (var member in BodyTokens(m, body.GetILAsByteArray() ?? []))
                if (member is Type t) Add(t);
                else Add(member.DeclaringType);
        }
        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>The members that the type, method and field tokens of an IL body resolve to.</summary>
    private static IEnumerable<MemberInfo> BodyTokens(MethodBase method, byte[] il)
    {
        var module = method.Module;
        Type[]? typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        Type[]? methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int at = 0; at < il.Length;)
        {
            short value = il[at] == 0xFE ? (short)(0xFE00 | il[at + 1]) : il[at];
            at += il[at] == 0xFE ? 2 : 1;
            var op = OpCodesByValue[value];
            int size = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, at),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineType or OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok)
            {
                MemberInfo? member = null;
                try { member = module.ResolveMember(BitConverter.ToInt32(il, at), typeArgs, methodArgs); }
                catch (ArgumentException) { } // a token of a generic context this scan does not reconstruct
                if (member is not null) yield return member;
            }
            at += size;
        }
    }
}

internal sealed class Probe;

internal static class ProbeUser
{
    public static object Make() => new Probe();
}
