package sshx

// Algorithm and protocol names from RFC 4253 and RFC 8731.
const (
	KeyExchangeCurve25519 = "curve25519-sha256"
	KeyExchangeDH14SHA256 = "diffie-hellman-group14-sha256"
	serviceUserAuth       = "ssh-userauth"
	serviceSSH            = "ssh-connection"
	privateKeyAuthMagic   = "openssh-key-v1\x00"
	HostKeyAlgoED25519    = "ssh-ed25519"
)
