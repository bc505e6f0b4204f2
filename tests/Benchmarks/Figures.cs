using System.Globalization;

namespace Granary.Benchmarks;

/// <summary>Prints benchmark figures in the one-line <c>name: value unit</c> form the README quotes.</summary>
internal static class Figures
{
    public static void Print(string name, double value, string unit) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {value:0.###} {unit}"));
}
