from django.urls import path

from .views import approval, judge, manage, public, results, room

app_name = "reviews"
urlpatterns = [
    path("", manage.IndexView.as_view(), name="index"),
    path("results/", results.ResultsView.as_view(), name="results"),
    path("publicity/", public.PublicityView.as_view(), name="publicity"),
    path("publicity/<int:pk>/objection/", public.ObjectionView.as_view(), name="objection"),
    path("publicity/receipt/", public.ReceiptView.as_view(), name="receipt"),
    path("my/", judge.QueueView.as_view(), name="queue"),
    path("a/<int:pk>/", judge.ScoreView.as_view(), name="score"),
    path("a/<int:pk>/conflict/", judge.DeclareConflictView.as_view(), name="declare_conflict"),
    path("t/<int:pk>/", manage.TrackView.as_view(), name="track"),
    path("t/<int:pk>/settings/", manage.SettingsView.as_view(), name="settings"),
    path("t/<int:pk>/rubric/", manage.RubricView.as_view(), name="rubric"),
    path("t/<int:pk>/judges/", manage.JudgesView.as_view(), name="judges"),
    path("t/<int:pk>/conflicts/", manage.ConflictsView.as_view(), name="conflicts"),
    path("t/<int:pk>/do/<str:action>/", manage.ActionView.as_view(), name="action"),
    path("t/<int:pk>/ranking/", results.RankingView.as_view(), name="ranking"),
    path("t/<int:pk>/decision/", results.DecisionView.as_view(), name="decision"),
    path("t/<int:pk>/matrix.xlsx", results.MatrixXlsxView.as_view(), name="matrix_xlsx"),
    path("t/<int:pk>/ranking.xlsx", results.RankingXlsxView.as_view(), name="ranking_xlsx"),
    path("t/<int:pk>/submit/<int:round>/", judge.SubmitSheetView.as_view(), name="submit_sheet"),
    path("t/<int:pk>/sheet/<int:judge>/<int:round>.pdf", results.SheetPdfView.as_view(), name="sheet_pdf"),
    path("t/<int:pk>/approval/", approval.ApprovalView.as_view(), name="approval"),
    path("t/<int:pk>/approval/<str:decision>/", approval.ApprovalDecisionView.as_view(), name="approval_decide"),
    path("t/<int:pk>/minutes/", approval.MinutesView.as_view(), name="minutes"),
    path("t/<int:pk>/room/", room.RoomView.as_view(), name="room"),
    path("t/<int:pk>/room/do/<str:action>/", room.RoomActionView.as_view(), name="room_action"),
    path("t/<int:pk>/room/poll/", room.RoomPollView.as_view(), name="room_poll"),
    path("t/<int:pk>/room/screen/", room.ScreenView.as_view(), name="room_screen"),
    path("t/<int:pk>/room/screen/live/", room.ScreenLiveView.as_view(), name="room_screen_live"),
    path("t/<int:pk>/room/judge/", room.JudgeRoomView.as_view(), name="room_judge"),
    path("t/<int:pk>/paper/<int:assignment>/", room.PaperScoreView.as_view(), name="paper_score"),
]
