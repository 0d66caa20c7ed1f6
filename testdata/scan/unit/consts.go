package main

// Negatives: enum constants, key names and identifiers next to secret-named names.
type ElevationToken string

const (
	ElevationTokenLimited ElevationToken = "Limited"
	sessionTokenKey                      = "aws_session_token"
	metadataDisabledKey                  = "ec2_metadata_v1_disabled"
	signingKeyDID                        = "did:key:zDnaeRSYs7c2NpcNA5NRAUqS8DCkLWDyNLnATi28D6w7no7hX"
)

type Creds struct {
	Password string `json:"password" protobuf:"bytes,2,opt,name=password,proto3"`
}
