using ClonusCds.Api.Storage;
using Npgsql;
using NpgsqlTypes;

namespace ClonusCds.Api.CdsHooks.Feedback;

/// <summary>
/// <see cref="IFeedbackStore"/> on the PostgreSQL database every replica shares. Idempotency is the
/// unique <c>dedupe_key</c> index with <c>INSERT … ON CONFLICT DO NOTHING</c> in one transaction:
/// the same feedback posted to two replicas at once is stored once (the loser of the race waits on
/// the index entry and then counts a duplicate). A save is acknowledged only after its commit, so
/// a replica killed afterwards loses nothing it acknowledged. Timestamps are <c>timestamptz</c>
/// (microseconds; the idempotency key is computed from the posted value to the tick).
/// </summary>
internal sealed class PostgresFeedbackStore(PostgresStorage storage, TimeProvider time) : IFeedbackStore
{
    private const string Insert = """
        INSERT INTO feedback (service_id, card_uuid, outcome, outcome_timestamp, accepted_suggestions,
            override_system, override_code, override_display, user_comment, received_at, dedupe_key)
        VALUES (@service_id, @card_uuid, @outcome, @outcome_timestamp, @accepted_suggestions,
            @override_system, @override_code, @override_display, @user_comment, @received_at, @dedupe_key)
        ON CONFLICT (dedupe_key) DO NOTHING;
        """;

    private const string Select = """
        SELECT id, service_id, card_uuid, outcome, outcome_timestamp, accepted_suggestions,
            override_system, override_code, override_display, user_comment, received_at
        FROM feedback
        WHERE service_id = @service_id AND (@since::timestamptz IS NULL OR received_at >= @since::timestamptz)
        ORDER BY received_at DESC, id DESC
        LIMIT @limit OFFSET @offset;
        """;

    public async Task<FeedbackSaveResult> SaveAsync(string serviceId, IReadOnlyList<FeedbackEntry> items, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(serviceId);
        ArgumentNullException.ThrowIfNull(items);
        var receivedAt = time.GetUtcNow().UtcDateTime;

        await using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Insert, connection, transaction);
        var service = command.Parameters.Add("service_id", NpgsqlDbType.Text);
        var card = command.Parameters.Add("card_uuid", NpgsqlDbType.Text);
        var outcome = command.Parameters.Add("outcome", NpgsqlDbType.Text);
        var timestamp = command.Parameters.Add("outcome_timestamp", NpgsqlDbType.TimestampTz);
        var suggestions = command.Parameters.Add("accepted_suggestions", NpgsqlDbType.Text);
        var system = command.Parameters.Add("override_system", NpgsqlDbType.Text);
        var code = command.Parameters.Add("override_code", NpgsqlDbType.Text);
        var display = command.Parameters.Add("override_display", NpgsqlDbType.Text);
        var comment = command.Parameters.Add("user_comment", NpgsqlDbType.Text);
        var received = command.Parameters.Add("received_at", NpgsqlDbType.TimestampTz);
        var key = command.Parameters.Add("dedupe_key", NpgsqlDbType.Text);
        service.Value = serviceId;
        received.Value = receivedAt;

        var stored = 0;
        foreach (var item in items)
        {
            card.Value = item.Card;
            outcome.Value = FeedbackFormat.Wire(item.Outcome);
            timestamp.Value = item.OutcomeTimestamp.UtcDateTime;
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
        await using var connection = await storage.DataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(Select, connection);
        command.Parameters.AddWithValue("service_id", serviceId);
        command.Parameters.Add("since", NpgsqlDbType.TimestampTz).Value = query.Since is { } since ? since.UtcDateTime : DBNull.Value;
        command.Parameters.AddWithValue("limit", Math.Clamp(query.Limit, 1, FeedbackQuery.MaxLimit));
        command.Parameters.AddWithValue("offset", Math.Max(query.Offset, 0));

        var results = new List<StoredFeedback>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            results.Add(FeedbackFormat.ReadRow(reader, Utc(reader.GetDateTime(4)), Utc(reader.GetDateTime(10))));
        }

        return results;
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
