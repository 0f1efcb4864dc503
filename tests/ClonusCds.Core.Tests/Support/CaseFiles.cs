namespace ClonusCds.Core.Tests.Support;

/// <summary>
/// The clinical case files (Cases/*.json, each an array of cases with a request and an expectation).
/// Cases/completeness-matrix.json lives beside them but is not a case file: it holds the matrix rows
/// (read by Support/CompletenessMatrix.cs).
/// </summary>
internal static class CaseFiles
{
    public const string MatrixFile = "completeness-matrix.json";

    public static string Directory => Path.Combine(AppContext.BaseDirectory, "Cases");

    /// <summary>Full paths of the case files, in ordinal order.</summary>
    public static IEnumerable<string> All() =>
        System.IO.Directory.GetFiles(Directory, "*.json")
            .Where(f => Path.GetFileName(f) != MatrixFile)
            .Order(StringComparer.Ordinal);
}
