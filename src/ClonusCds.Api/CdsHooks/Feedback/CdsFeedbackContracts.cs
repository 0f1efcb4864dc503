namespace ClonusCds.Api.CdsHooks.Feedback;

// Wire shapes of the feedback endpoints, for responses and the OpenAPI document. Requests are read
// by FeedbackRequestReader (unknown members such as "extension" are ignored there), not bound to
// these types.

/// <summary>POST /cds-services/{id}/feedback request (CDS Hooks 2.0 "Feedback").</summary>
/// <param name="Feedback">1 to 100 feedback items.</param>
public sealed record CdsFeedbackRequest(IReadOnlyList<CdsFeedbackItem> Feedback);

/// <summary>One user action on a card.</summary>
/// <param name="Card">The <c>card.uuid</c> from the CDS Hooks response (1..200 characters).</param>
/// <param name="Outcome">"accepted" or "overridden".</param>
/// <param name="AcceptedSuggestions">Required and non-empty for "accepted"; absent for "overridden".</param>
/// <param name="OverrideReason">Only for "overridden"; optional.</param>
/// <param name="OutcomeTimestamp">RFC 3339 date-time with an explicit offset, preferably UTC ("2021-12-11T10:05:31Z"); at most 5 minutes ahead of the server clock.</param>
public sealed record CdsFeedbackItem(
    string Card,
    string Outcome,
    IReadOnlyList<CdsFeedbackAcceptedSuggestion>? AcceptedSuggestions,
    CdsFeedbackOverrideReason? OverrideReason,
    string OutcomeTimestamp);

/// <summary>An accepted suggestion.</summary>
/// <param name="Id">The <c>card.suggestion.uuid</c> (1..200 characters).</param>
public sealed record CdsFeedbackAcceptedSuggestion(string Id);

/// <summary>Why a card was overridden: a reason Coding, a free-text comment, or both.</summary>
/// <param name="Reason">The override reason the user picked.</param>
/// <param name="UserComment">Free text from the clinician (at most 2000 characters). May hold patient details.</param>
public sealed record CdsFeedbackOverrideReason(CdsFeedbackCoding? Reason, string? UserComment);

/// <summary>A CDS Hooks Coding.</summary>
/// <param name="Code">The code (1..200 characters).</param>
/// <param name="System">The code system (1..200 characters).</param>
/// <param name="Display">Display text (at most 500 characters).</param>
public sealed record CdsFeedbackCoding(string Code, string System, string? Display);

/// <summary>POST response: what happened to the items.</summary>
/// <param name="Received">Items in the request.</param>
/// <param name="Stored">Items stored now.</param>
/// <param name="Duplicates">Items already stored (the same user action reported again).</param>
public sealed record CdsFeedbackReceipt(int Received, int Stored, int Duplicates);

/// <summary>GET response: stored feedback, newest received first.</summary>
/// <param name="Feedback">The page of stored items.</param>
public sealed record CdsFeedbackList(IReadOnlyList<CdsFeedbackRecord> Feedback);

/// <summary>A stored feedback item: the item as received (timestamp in UTC) and where and when it arrived.</summary>
/// <param name="Id">Store-assigned id.</param>
/// <param name="ServiceId">The CDS Service it was posted to.</param>
/// <param name="Card">The <c>card.uuid</c>.</param>
/// <param name="Outcome">"accepted" or "overridden".</param>
/// <param name="AcceptedSuggestions">The accepted suggestions (accepted only).</param>
/// <param name="OverrideReason">The override reason, if one was sent.</param>
/// <param name="OutcomeTimestamp">When the user acted (UTC).</param>
/// <param name="ReceivedAt">When this server first stored it (UTC).</param>
public sealed record CdsFeedbackRecord(
    long Id,
    string ServiceId,
    string Card,
    string Outcome,
    IReadOnlyList<CdsFeedbackAcceptedSuggestion>? AcceptedSuggestions,
    CdsFeedbackOverrideReason? OverrideReason,
    string OutcomeTimestamp,
    string ReceivedAt)
{
    /// <summary>The wire shape of a stored item.</summary>
    public static CdsFeedbackRecord From(StoredFeedback stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var entry = stored.Entry;
        var reason = entry.OverrideReason is { } coding ? new CdsFeedbackCoding(coding.Code, coding.System, coding.Display) : null;
        return new CdsFeedbackRecord(
            stored.Id,
            stored.ServiceId,
            entry.Card,
            FeedbackFormat.Wire(entry.Outcome),
            entry.AcceptedSuggestionIds.Count > 0 ? entry.AcceptedSuggestionIds.Select(id => new CdsFeedbackAcceptedSuggestion(id)).ToList() : null,
            reason is null && entry.UserComment is null ? null : new CdsFeedbackOverrideReason(reason, entry.UserComment),
            FeedbackFormat.Rfc3339(entry.OutcomeTimestamp),
            FeedbackFormat.Rfc3339(stored.ReceivedAt));
    }
}
