using System.Collections.Immutable;

namespace IkeSharp.Protocol;

/// <summary>How often a payload may appear in a message, and whether it must be inside SK.</summary>
public readonly record struct PayloadRule(PayloadType Type, int Min, int Max, bool Encrypted)
{
    public const int Unbounded = int.MaxValue;
}

/// <summary>The payloads one exchange allows in one direction.</summary>
public sealed record MessageRule(ExchangeType Exchange, bool IsResponse, bool Encrypted, ImmutableArray<PayloadRule> Payloads);

/// <summary>
/// What is wrong with a message's payload set, the notify its sender should get back (for
/// requests: INVALID_SYNTAX or UNSUPPORTED_CRITICAL_PAYLOAD, §2.21.1, §2.5) and, for the
/// latter, the notification data.
/// </summary>
public sealed record RuleViolation(string Reason, NotifyType Notify, ReadOnlyMemory<byte> NotifyData = default);

/// <summary>
/// Which payloads each exchange allows, as data (RFC 7296 §1.2-1.5, §2.6, §3.14; RFC 7383;
/// RFC 9242). Minimums are those every well-formed message of that kind has; messages that carry
/// only an error notify (e.g. an IKE_SA_INIT response with N(INVALID_KE_PAYLOAD)) are why most
/// minimums are zero — which combination a task needs is the task's business.
/// </summary>
public static class MessageRules
{
    private const int Many = PayloadRule.Unbounded;

    public static ImmutableArray<MessageRule> All { get; } =
    [
        // HDR, SAi1, KEi, Ni  -->  (§1.2; a COOKIE or INVALID_KE retry adds only an N)
        Plain(ExchangeType.IKE_SA_INIT, response: false,
            (PayloadType.SA, 1, 1), (PayloadType.KE, 1, 1), (PayloadType.Nonce, 1, 1),
            (PayloadType.N, 0, Many), (PayloadType.V, 0, Many)),

        // <--  HDR, SAr1, KEr, Nr, [CERTREQ]   or   <--  HDR, N(error or COOKIE)
        Plain(ExchangeType.IKE_SA_INIT, response: true,
            (PayloadType.SA, 0, 1), (PayloadType.KE, 0, 1), (PayloadType.Nonce, 0, 1),
            (PayloadType.CERTREQ, 0, Many), (PayloadType.N, 0, Many), (PayloadType.V, 0, Many)),

        // HDR, SK {IDi, [CERT,] [CERTREQ,] [IDr,] AUTH, SAi2, TSi, TSr}  -->  (§1.2; EAP rounds omit IDi/AUTH, §2.16)
        Protected(ExchangeType.IKE_AUTH, response: false,
            (PayloadType.IDi, 0, 1), (PayloadType.CERT, 0, Many), (PayloadType.CERTREQ, 0, Many),
            (PayloadType.IDr, 0, 1), (PayloadType.AUTH, 0, 1), (PayloadType.SA, 0, 1),
            (PayloadType.TSi, 0, 1), (PayloadType.TSr, 0, 1), (PayloadType.CP, 0, 1),
            (PayloadType.EAP, 0, 1), (PayloadType.N, 0, Many), (PayloadType.V, 0, Many)),

        // <--  HDR, SK {IDr, [CERT,] AUTH, SAr2, TSi, TSr}
        Protected(ExchangeType.IKE_AUTH, response: true,
            (PayloadType.IDr, 0, 1), (PayloadType.CERT, 0, Many), (PayloadType.AUTH, 0, 1),
            (PayloadType.SA, 0, 1), (PayloadType.TSi, 0, 1), (PayloadType.TSr, 0, 1),
            (PayloadType.CP, 0, 1), (PayloadType.EAP, 0, 1), (PayloadType.N, 0, Many), (PayloadType.V, 0, Many)),

        // HDR, SK {[N(REKEY_SA)], SA, Ni, [KEi], [TSi, TSr]}  -->  (§1.3)
        Protected(ExchangeType.CREATE_CHILD_SA, response: false,
            (PayloadType.SA, 1, 1), (PayloadType.Nonce, 1, 1), (PayloadType.KE, 0, 1),
            (PayloadType.TSi, 0, 1), (PayloadType.TSr, 0, 1), (PayloadType.N, 0, Many), (PayloadType.V, 0, Many)),

        // <--  HDR, SK {SA, Nr, [KEr], [TSi, TSr]}   or   <--  HDR, SK {N(error)}
        Protected(ExchangeType.CREATE_CHILD_SA, response: true,
            (PayloadType.SA, 0, 1), (PayloadType.Nonce, 0, 1), (PayloadType.KE, 0, 1),
            (PayloadType.TSi, 0, 1), (PayloadType.TSr, 0, 1), (PayloadType.N, 0, Many), (PayloadType.V, 0, Many)),

        // HDR, SK {[N,] [D,] [CP,] ...}  <-->  (§1.4)
        Protected(ExchangeType.INFORMATIONAL, response: false,
            (PayloadType.N, 0, Many), (PayloadType.D, 0, Many), (PayloadType.CP, 0, 1), (PayloadType.V, 0, Many)),
        Protected(ExchangeType.INFORMATIONAL, response: true,
            (PayloadType.N, 0, Many), (PayloadType.D, 0, Many), (PayloadType.CP, 0, 1), (PayloadType.V, 0, Many)),

        // RFC 9242 §3 (with RFC 9370's additional key exchanges)
        Protected(ExchangeType.IKE_INTERMEDIATE, response: false,
            (PayloadType.KE, 0, 1), (PayloadType.N, 0, Many), (PayloadType.V, 0, Many)),
        Protected(ExchangeType.IKE_INTERMEDIATE, response: true,
            (PayloadType.KE, 0, 1), (PayloadType.N, 0, Many), (PayloadType.V, 0, Many)),
    ];

    private static readonly Dictionary<(ExchangeType, bool), MessageRule> ByExchange = All.ToDictionary(r => (r.Exchange, r.IsResponse));

    public static MessageRule? Find(ExchangeType exchange, bool isResponse) => ByExchange.GetValueOrDefault((exchange, isResponse));

    /// <summary>
    /// Checks the outer payloads before decryption: an exchange that must be protected carries
    /// exactly one SK or SKF payload and nothing unprotected besides it (§3.14, RFC 7383 §2.5).
    /// </summary>
    public static RuleViolation? CheckOuter(IkeMessage message)
    {
        if (Find(message.Exchange, message.IsResponse) is not { } rule)
        {
            return new RuleViolation($"exchange type {message.Exchange} is not supported", NotifyType.INVALID_SYNTAX);
        }

        if (!rule.Encrypted)
        {
            return null;
        }

        var protectedPayloads = message.Payloads.Count(p => p is EncryptedPayload or EncryptedFragmentPayload);
        if (protectedPayloads != 1 || message.Payloads.Any(p => p is not (EncryptedPayload or EncryptedFragmentPayload or UnknownPayload)))
        {
            return new RuleViolation($"{Name(message)} must carry its payloads inside one SK or SKF payload", NotifyType.INVALID_SYNTAX);
        }

        return null;
    }

    /// <summary>
    /// Checks the full payload set (after decryption for protected exchanges): only allowed
    /// payloads, each within its count, protected ones inside SK, and no unsupported critical payload.
    /// </summary>
    public static RuleViolation? Check(IkeMessage message)
    {
        if (message.UnsupportedCriticalPayloads.Length > 0)
        {
            var type = message.UnsupportedCriticalPayloads[0];
            return new RuleViolation($"unsupported critical payload type {(byte)type}", NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD, new[] { (byte)type });
        }

        if (CheckOuter(message) is { } outer)
        {
            return outer;
        }

        var rule = Find(message.Exchange, message.IsResponse)!;
        if (rule.Encrypted && !message.IsDecrypted)
        {
            throw new InvalidOperationException("decrypt the SK payload before checking a protected message's payloads");
        }

        Span<int> counts = stackalloc int[256];
        foreach (var payload in message.AllPayloads)
        {
            if (payload is UnknownPayload)
            {
                continue; // §2.5: unknown non-critical payloads are skipped
            }

            if (!rule.Payloads.Any(r => r.Type == payload.Type))
            {
                return new RuleViolation($"{MessageSummary.Describe(payload)} payload is not allowed in {Name(message)}", NotifyType.INVALID_SYNTAX);
            }

            counts[(byte)payload.Type]++;
        }

        foreach (var payloadRule in rule.Payloads)
        {
            var count = counts[(byte)payloadRule.Type];
            if (count < payloadRule.Min)
            {
                return new RuleViolation($"{Name(message)} lacks its {payloadRule.Type} payload", NotifyType.INVALID_SYNTAX);
            }

            if (count > payloadRule.Max)
            {
                return new RuleViolation($"{Name(message)} has {count} {payloadRule.Type} payloads, at most {payloadRule.Max} allowed", NotifyType.INVALID_SYNTAX);
            }
        }

        return null;
    }

    private static string Name(IkeMessage message) => $"{message.Exchange} {(message.IsResponse ? "response" : "request")}";

    private static MessageRule Plain(ExchangeType exchange, bool response, params (PayloadType Type, int Min, int Max)[] payloads)
        => Create(exchange, response, encrypted: false, payloads);

    private static MessageRule Protected(ExchangeType exchange, bool response, params (PayloadType Type, int Min, int Max)[] payloads)
        => Create(exchange, response, encrypted: true, payloads);

    private static MessageRule Create(ExchangeType exchange, bool response, bool encrypted, (PayloadType Type, int Min, int Max)[] payloads)
        => new(exchange, response, encrypted, [.. payloads.Select(p => new PayloadRule(p.Type, p.Min, p.Max, encrypted))]);
}
