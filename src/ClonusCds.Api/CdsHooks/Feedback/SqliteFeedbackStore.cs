using Microsoft.Data.Sqlite;
using ClonusCds.Api.Storage;

namespace ClonusCds.Api.CdsHooks.Feedback;

/// <summary>
/// <see cref="IFeedbackStore"/> on the embedded SQLite file (<see cref="SqliteStorage"/>: WAL mode,
/// created and migrated on first use). Idempotency is the unique <c>dedupe_key</c> column with
/// <c>INSERT OR IGNORE</c> inside one transaction, so concurrent duplicate posts store one row.
/// </summary>
internal sealed class SqliteFeedbackStore(SqliteStorage storage, TimeProvider time) : IFeedbackStore
{
    private const string Insert = """
        INSERT OR IGNORE INTO feedback (service_id, card_uuid, outcome, outcome_timestamp, accepted_suggestions,
            override_system, override_code, override_display, user_comment, received_at, dedupe_key)
        VALUES ($service_id, $card_uuid, $outcome, $outcome_timestamp, $accepted_suggestions,
            $override_system, $override_code, $override_display, $user_comment, $received_at, $dedupe_key);
        """;

    private const string Select = """
        SELECT id, service_id, card_uuid, outcome, outcome_timestamp, accepted_suggestions,
            override_system, override_code, override_display, user_comment, received_at
        FROM feedback
        WHERE service_id = $service_id AND ($since IS NULL OR received_at >= $since)
        ORDER BY received_at DESC, id DESC
        LIMIT $limit OFFSET $offset;
        """;

    public async Task<FeedbackSaveResult> SaveAsync(string serviceId, IReadOnlyList<FeedbackEntry> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serviceId);
        ArgumentNullException.ThrowIfNull(items);
        var receivedAt = FeedbackFormat.Sortable(time.GetUtcNow());

        await using var connection = await storage.OpenAsync(cancellationToken);
        // BEGIN IMMEDIATE: take the write lock up front, so racing writers queue instead of failing.
        await using var transaction = connection.BeginTransaction(deferred: false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Insert;
        var serviceParameter = command.Parameters.Add("$service_id", SqliteType.Text);
        var card = command.Parameters.Add("$card_uuid", SqliteType.Text);
        var outcome = command.Parameters.Add("$outcome", SqliteType.Text);
        var timestamp = command.Parameters.Add("$outcome_timestamp", SqliteType.Text);
        var suggestions = command.Parameters.Add("$accepted_suggestions", SqliteType.Text);
        var system = command.Parameters.Add("$override_system", SqliteType.Text);
        var code = command.Parameters.Add("$override_code", SqliteType.Text);
        var display = command.Parameters.Add("$override_display", SqliteType.Text);
        var comment = command.Parameters.Add("$user_comment", SqliteType.Text);
        var received = command.Parameters.Add("$received_at", SqliteType.Text);
        var key = command.Parameters.Add("$dedupe_key", SqliteType.Text);
        serviceParameter.Value = serviceId;
        received.Value = receivedAt;

        var stored = 0;
        foreach (var item in items)
        {
            card.Value = item.Card;
            outcome.Value = FeedbackFormat.Wire(item.Outcome);
            timestamp.Value = FeedbackFormat.Sortable(item.OutcomeTimestamp);
            suggestions.Value = FeedbackFormat.SuggestionsJson(item.AcceptedSuggestionIds);
            system.Value = (object?)item.OverrideReason?.System ?? DBNull.Value;
            code.Value = (object?)item.OverrideReason?.Code ?? DBNull.Value;
            display.Value = (object?)item.OverrideReason?.Display ?? DBNull.Value;
            comment.Value = (object?)item.UserComment ?? DBNull.Value;
            key.Value = FeedbackFormat.DedupeKey(serviceId, item);
            stored += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new FeedbackSaveResult(items.Count, stored);
    }

    public async Task<IReadOnlyList<StoredFeedback>> ListAsync(string serviceId, FeedbackQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serviceId);
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = await storage.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = Select;
        command.Parameters.AddWithValue("$service_id", serviceId);
        command.Parameters.AddWithValue("$since", query.Since is { } since ? FeedbackFormat.Sortable(since) : DBNull.Value);
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, FeedbackQuery.MaxLimit));
        command.Parameters.AddWithValue("$offset", Math.Max(query.Offset, 0));

        var results = new List<StoredFeedback>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            results.Add(FeedbackFormat.ReadRow(reader, FeedbackFormat.ParseStored(reader.GetString(4)), FeedbackFormat.ParseStored(reader.GetString(10))));
        }

        return results;
    }
}
