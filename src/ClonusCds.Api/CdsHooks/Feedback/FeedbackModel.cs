using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace ClonusCds.Api.CdsHooks.Feedback;

/// <summary>What the user did with a card (CDS Hooks 2.0 "Feedback.outcome").</summary>
public enum FeedbackOutcome
{
    /// <summary>One or more of the card's suggestions were accepted (wire value "accepted").</summary>
    Accepted,

    /// <summary>The card was dismissed, with or without a reason (wire value "overridden").</summary>
    Overridden,
}

/// <summary>A CDS Hooks Coding: the override reason the user picked.</summary>
/// <param name="System">The code system (required).</param>
/// <param name="Code">The code (required).</param>
/// <param name="Display">Human-readable text, if sent.</param>
public sealed record FeedbackCoding(string System, string Code, string? Display);

/// <summary>One validated feedback item, as received (timestamp normalised to UTC).</summary>
/// <param name="Card">The <c>card.uuid</c> the feedback is about.</param>
/// <param name="Outcome">Accepted or overridden.</param>
/// <param name="AcceptedSuggestionIds">The accepted <c>suggestion.uuid</c>s (distinct, in the order sent); empty when overridden.</param>
/// <param name="OverrideReason">The override reason Coding, if sent.</param>
/// <param name="UserComment">The clinician's free text, if sent. May hold patient details: never log it.</param>
/// <param name="OutcomeTimestamp">When the user acted, in UTC.</param>
public sealed record FeedbackEntry(
    string Card,
    FeedbackOutcome Outcome,
    IReadOnlyList<string> AcceptedSuggestionIds,
    FeedbackCoding? OverrideReason,
    string? UserComment,
    DateTimeOffset OutcomeTimestamp);

/// <summary>A feedback item as stored.</summary>
/// <param name="Id">Store-assigned id (increasing).</param>
/// <param name="ServiceId">The CDS Service the feedback was posted to.</param>
/// <param name="Entry">The item.</param>
/// <param name="ReceivedAt">When this server first stored it (UTC).</param>
public sealed record StoredFeedback(long Id, string ServiceId, FeedbackEntry Entry, DateTimeOffset ReceivedAt);

/// <summary>Counts from one save.</summary>
/// <param name="Received">Items in the request.</param>
/// <param name="Stored">Items that were new and stored.</param>
public sealed record FeedbackSaveResult(int Received, int Stored)
{
    /// <summary>Items already stored (by an earlier request or earlier in the same request).</summary>
    public int Duplicates => Received - Stored;
}

/// <summary>A page of stored feedback, newest first.</summary>
/// <param name="Since">Only feedback received at or after this instant.</param>
/// <param name="Limit">Page size, 1..<see cref="MaxLimit"/>.</param>
/// <param name="Offset">Items to skip.</param>
public sealed record FeedbackQuery(DateTimeOffset? Since = null, int Limit = FeedbackQuery.DefaultLimit, int Offset = 0)
{
    /// <summary>Page size when none is given.</summary>
    public const int DefaultLimit = 100;

    /// <summary>Largest page size.</summary>
    public const int MaxLimit = 500;
}

/// <summary>Wire strings, canonical timestamps and the idempotency key shared by every store.</summary>
public static class FeedbackFormat
{
    /// <summary>Wire value of <see cref="FeedbackOutcome.Accepted"/>.</summary>
    public const string Accepted = "accepted";

    /// <summary>Wire value of <see cref="FeedbackOutcome.Overridden"/>.</summary>
    public const string Overridden = "overridden";

    /// <summary>The wire string of an outcome.</summary>
    public static string Wire(FeedbackOutcome outcome) => outcome == FeedbackOutcome.Accepted ? Accepted : Overridden;

    /// <summary>Parses a wire outcome (case-sensitive, as in the spec).</summary>
    public static bool TryParseOutcome(string? value, out FeedbackOutcome outcome)
    {
        switch (value)
        {
            case Accepted:
                outcome = FeedbackOutcome.Accepted;
                return true;
            case Overridden:
                outcome = FeedbackOutcome.Overridden;
                return true;
            default:
                outcome = default;
                return false;
        }
    }

    /// <summary>
    /// Fixed-width UTC form used for storage ("2021-12-11T10:05:31.0000000Z"): sorts as text in
    /// time order, so range filters work on the stored string.
    /// </summary>
    public static string Sortable(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Shortest RFC 3339 UTC form for responses ("2021-12-11T10:05:31Z").</summary>
    public static string Rfc3339(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>Parses a stored timestamp.</summary>
    public static DateTimeOffset ParseStored(string value) =>
        DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    /// <summary>
    /// The idempotency key: SHA-256 (lower-case hex) of the service id, card, outcome, outcome
    /// timestamp (UTC, to the tick), the accepted suggestion ids (sorted, distinct) and the override
    /// reason system and code. Display text and userComment are not part of it: a re-post that
    /// differs only there is the same user action.
    /// </summary>
    public static string DedupeKey(string serviceId, FeedbackEntry entry)
    {
        ArgumentNullException.ThrowIfNull(serviceId);
        ArgumentNullException.ThrowIfNull(entry);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            // A JSON array: unambiguous however the parts are spelt.
            writer.WriteStartArray();
            writer.WriteStringValue("cds-feedback/v1");
            writer.WriteStringValue(serviceId);
            writer.WriteStringValue(entry.Card);
            writer.WriteStringValue(Wire(entry.Outcome));
            writer.WriteStringValue(Sortable(entry.OutcomeTimestamp));
            writer.WriteStartArray();
            foreach (var id in entry.AcceptedSuggestionIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            if (entry.OverrideReason is { } reason)
            {
                writer.WriteStringValue(reason.System);
                writer.WriteStringValue(reason.Code);
            }
            else
            {
                writer.WriteNullValue();
                writer.WriteNullValue();
            }

            writer.WriteEndArray();
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.ToArray()));
    }

    /// <summary>The accepted suggestion ids as a JSON array of strings.</summary>
    public static string SuggestionsJson(IReadOnlyList<string> ids) => JsonSerializer.Serialize(ids, FeedbackJsonContext.Default.IReadOnlyListString);

    /// <summary>Reads <see cref="SuggestionsJson"/> back.</summary>
    /// <summary>
    /// One stored row (columns in the order both stores select: id, service_id, card_uuid, outcome,
    /// outcome_timestamp, accepted_suggestions, override_system, override_code, override_display,
    /// user_comment, received_at); the timestamps are read by the store, each backend its own way.
    /// </summary>
    internal static StoredFeedback ReadRow(System.Data.Common.DbDataReader reader, DateTimeOffset outcomeTimestamp, DateTimeOffset receivedAt)
    {
        var outcome = TryParseOutcome(reader.GetString(3), out var parsed) ? parsed : FeedbackOutcome.Overridden;
        var reason = reader.IsDBNull(6) || reader.IsDBNull(7)
            ? null
            : new FeedbackCoding(reader.GetString(6), reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8));
        var entry = new FeedbackEntry(reader.GetString(2), outcome, ParseSuggestionsJson(reader.GetString(5)), reason,
            reader.IsDBNull(9) ? null : reader.GetString(9), outcomeTimestamp);
        return new StoredFeedback(reader.GetInt64(0), reader.GetString(1), entry, receivedAt);
    }

    public static IReadOnlyList<string> ParseSuggestionsJson(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize(json, FeedbackJsonContext.Default.IReadOnlyListString) ?? [];
}

/// <summary>Source-generated metadata for the stored suggestion list.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class FeedbackJsonContext : System.Text.Json.Serialization.JsonSerializerContext;
