const val API_TOKEN = "canary-kt-Bq64nZ2w"

fun main() {
    println(API_TOKEN)
}
