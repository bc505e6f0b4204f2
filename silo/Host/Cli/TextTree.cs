namespace Granary.Silo.Cli;

/// <summary>
/// A plain-text tree like <c>flux tree</c>'s: the root on the first line, each child below its parent behind
/// <c>├── </c> (or <c>└── </c> for the last), with <c>│   </c> continuing the parent's branch. Labels are single lines.
/// </summary>
public static class TextTree
{
    /// <summary>The lines of the tree rooted at <paramref name="root"/>, whose label and children come from the two functions.</summary>
    public static IEnumerable<string> Lines<T>(T root, Func<T, string> label, Func<T, IReadOnlyList<T>> children)
    {
        var lines = new List<string> { label(root).ReplaceLineEndings(" ") };
        Add(root, string.Empty);
        return lines;

        void Add(T node, string indent)
        {
            var below = children(node);
            for (var i = 0; i < below.Count; i++)
            {
                var last = i == below.Count - 1;
                lines.Add($"{indent}{(last ? "└── " : "├── ")}{label(below[i]).ReplaceLineEndings(" ")}");
                Add(below[i], indent + (last ? "    " : "│   "));
            }
        }
    }
}
