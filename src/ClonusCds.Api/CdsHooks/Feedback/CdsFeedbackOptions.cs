namespace ClonusCds.Api.CdsHooks.Feedback;

/// <summary>Feedback settings (configuration section "CdsHooks:Feedback").</summary>
public sealed class CdsFeedbackOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "CdsHooks:Feedback";

    /// <summary>Default database file, relative to the content root.</summary>
    public const string DefaultDatabasePath = "App_Data/clonus-feedback.db";

    /// <summary>
    /// The SQLite database file. A relative path is resolved against the content root. The
    /// directory and schema are created on first use. The file holds clinicians' free-text
    /// comments, which may contain patient details: keep it out of source control and backups
    /// that are not protected like the clinical record.
    /// </summary>
    public string DatabasePath { get; set; } = DefaultDatabasePath;
}
