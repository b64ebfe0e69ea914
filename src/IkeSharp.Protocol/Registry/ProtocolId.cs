namespace IkeSharp.Protocol;

/// <summary>IKEv2 Security Protocol Identifiers (IANA; RFC 7296 §3.3.1).</summary>
public enum ProtocolId : byte
{
    NONE = 0,
    IKE = 1,
    AH = 2,
    ESP = 3,
    FC_ESP_HEADER = 4,
    FC_CT_AUTHENTICATION = 5,
}
