using System.Text;

namespace IkeSharp.Protocol;

/// <summary>
/// One-line message summaries in the notation of strongSwan's logs, so an operator can lay
/// IkeSharp's log beside the peer's: <c>IKE_SA_INIT request 0 [ SA KE No N(NATD_S_IP) ]</c>.
/// </summary>
public static class MessageSummary
{
    public static string Describe(IkeMessage message)
    {
        var payloads = message.Payloads.SelectMany(p => p is EncryptedPayload && message.IsDecrypted ? message.InnerPayloads.AsEnumerable() : [p]);
        return Describe(message.Exchange, message.IsResponse, message.Header.MessageId, payloads);
    }

    /// <summary>The same line for a message being built (its payloads before encryption).</summary>
    public static string Describe(ExchangeType exchange, bool isResponse, uint messageId, IEnumerable<Payload> payloads)
    {
        var builder = new StringBuilder(96);
        builder.Append(exchange).Append(isResponse ? " response " : " request ").Append(messageId).Append(" [");
        foreach (var payload in payloads)
        {
            builder.Append(' ').Append(Describe(payload));
        }

        return builder.Append(" ]").ToString();
    }

    public static string Describe(Payload payload) => payload switch
    {
        NoncePayload => "No",
        NotifyPayload n => $"N({ShortName(n.NotifyType)})",
        EncryptedPayload => "SK",
        EncryptedFragmentPayload f => $"EF({f.FragmentNumber}/{f.TotalFragments})",
        DeletePayload => "D",
        VendorIdPayload => "V",
        _ => payload.Type.ToString(),
    };

    /// <summary>Short notify names as strongSwan 5.9 prints them (checked against its logs in interop-tests/captures); the registry name otherwise.</summary>
    public static string ShortName(NotifyType type) => type switch
    {
        NotifyType.UNSUPPORTED_CRITICAL_PAYLOAD => "CRIT",
        NotifyType.INVALID_IKE_SPI => "INVAL_IKE_SPI",
        NotifyType.INVALID_MAJOR_VERSION => "INVAL_MAJV",
        NotifyType.INVALID_SYNTAX => "INVAL_SYN",
        NotifyType.INVALID_MESSAGE_ID => "INVAL_MID",
        NotifyType.INVALID_SPI => "INVAL_SPI",
        NotifyType.NO_PROPOSAL_CHOSEN => "NO_PROP",
        NotifyType.INVALID_KE_PAYLOAD => "INVAL_KE",
        NotifyType.AUTHENTICATION_FAILED => "AUTH_FAILED",
        NotifyType.TS_UNACCEPTABLE => "TS_UNACCEPT",
        NotifyType.NO_ADDITIONAL_SAS => "NO_ADD_SAS",
        NotifyType.TEMPORARY_FAILURE => "TEMP_FAIL",
        NotifyType.INITIAL_CONTACT => "INIT_CONTACT",
        NotifyType.NAT_DETECTION_SOURCE_IP => "NATD_S_IP",
        NotifyType.NAT_DETECTION_DESTINATION_IP => "NATD_D_IP",
        NotifyType.USE_TRANSPORT_MODE => "USE_TRANSP",
        NotifyType.ESP_TFC_PADDING_NOT_SUPPORTED => "ESP_TFC_PAD_N",
        NotifyType.NON_FIRST_FRAGMENTS_ALSO => "NON_FIRST_FRAG",
        NotifyType.MOBIKE_SUPPORTED => "MOBIKE_SUP",
        NotifyType.ADDITIONAL_IP4_ADDRESS => "ADD_4_ADDR",
        NotifyType.ADDITIONAL_IP6_ADDRESS => "ADD_6_ADDR",
        NotifyType.MULTIPLE_AUTH_SUPPORTED => "MULT_AUTH",
        NotifyType.REDIRECT_SUPPORTED => "REDIR_SUP",
        NotifyType.IKEV2_FRAGMENTATION_SUPPORTED => "FRAG_SUP",
        NotifyType.SIGNATURE_HASH_ALGORITHMS => "HASH_ALG",
        NotifyType.CHILDLESS_IKEV2_SUPPORTED => "CHDLESS_SUP",
        NotifyType.EAP_ONLY_AUTHENTICATION => "EAP_ONLY",
        NotifyType.IKEV2_MESSAGE_ID_SYNC_SUPPORTED => "MSG_ID_SYN_SUP",
        _ => type.ToString(),
    };
}
