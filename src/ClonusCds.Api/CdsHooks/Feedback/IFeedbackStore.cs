namespace ClonusCds.Api.CdsHooks.Feedback;

/// <summary>
/// Durable storage for CDS Hooks feedback. The default is <see cref="SqliteFeedbackStore"/>; a server
/// database replaces it by registering another implementation as a singleton (see
/// docs/cds-hooks-feedback.md). Implementations must be safe for concurrent use and idempotent:
/// an item whose <see cref="FeedbackFormat.DedupeKey"/> is already stored is counted as a duplicate
/// and not stored again, even when two requests race.
/// </summary>
public interface IFeedbackStore
{
    /// <summary>Stores the items that are new, atomically, and says how many were.</summary>
    /// <param name="serviceId">The CDS Service id (already checked to exist).</param>
    /// <param name="items">Validated items, in request order.</param>
    /// <param name="cancellationToken">Cancels the save (nothing is stored when cancelled).</param>
    Task<FeedbackSaveResult> SaveAsync(string serviceId, IReadOnlyList<FeedbackEntry> items, CancellationToken cancellationToken);

    /// <summary>Stored feedback for one service, newest received first.</summary>
    /// <param name="serviceId">The CDS Service id.</param>
    /// <param name="query">Since, limit (at most <see cref="FeedbackQuery.MaxLimit"/>) and offset.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    Task<IReadOnlyList<StoredFeedback>> ListAsync(string serviceId, FeedbackQuery query, CancellationToken cancellationToken);
}
