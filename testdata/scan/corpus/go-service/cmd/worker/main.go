package main

import (
	"context"
	"log"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

const sessionToken = ""

func main() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx,
		config.WithRegion("eu-west-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider(
			"AKIAROM4SHV2OTFBC3FZ",
			"eaOlBGhrqJJfniZ8uK/G/auJkQhg6swEt+wZC87z",
			sessionToken,
		)),
	)
	if err != nil {
		log.Fatal(err)
	}
	_ = aws.ToString(nil)
	queueKey := os.Getenv("QUEUE_ENCRYPTION_KEY")
	run(ctx, cfg, queueKey, "e61b804a5fdc0d5b5bda4a00c8a854af4cf66bd299bc8a51ba1b34e7d4fcd0c1")
}

func run(ctx context.Context, cfg aws.Config, key, fallbackKey string) {
	commit := "1e56aff79623dfbf0348d51ca84b2407be00d2c9"
	requestID := "c292c75d-92f9-498c-aebc-2dac7b7e555a"
	log.Printf("worker %s %s starting", commit, requestID)
}
